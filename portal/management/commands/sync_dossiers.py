from portal.models import Kind

from ._sync import SyncCommand


class Command(SyncCommand):
    help = "Một lượt đồng bộ hồ sơ với Cổng DVCQG: lấy hồ sơ mới (LayDanhSachHoSo) và gửi tiến độ đang chờ."
    kind = Kind.DOSSIER
    unit = " hồ sơ"
