from portal.models import Kind

from ._sync import SyncCommand


class Command(SyncCommand):
    help = "Một lượt đồng bộ phản ánh, kiến nghị: lấy PAKN mới (LayDanhSachPAKN) và gửi các trả lời đang chờ."
    kind = Kind.PAKN
    unit = " PAKN"
