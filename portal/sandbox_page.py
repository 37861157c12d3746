"""The national-portal sandbox's own page (what it received, in arrival order, and the portal-side status form)
and the files it serves for `TaiLieuNop` links. Standard library only (no Django)."""
import base64
import html

from .sandbox_files import paper


def _rows(pushes) -> str:
    rows = []
    for push in reversed(pushes[-300:]):
        for item, result in zip(push["data"] or [{}], push["result"] or [{}]):
            item = item if isinstance(item, dict) else {}
            code = item.get("MaHoSo") or item.get("MaPAKN") or ""
            what = item.get("NoiDungXuLy") or item.get("TrangThaiHoSo") or str(item.get("NoiDungTraLoi", ""))[:80]
            if push["service"] == "DongBoHoSoMC":
                what = f"TrangThaiHoSo {item.get('TrangThaiHoSo')} · isUpdating {push.get('isUpdating')}"
            ok = str(result.get("error_code")) in ("0", "00")
            rows.append(f"<tr><td>{push.get('n', '')}</td><td>{push['at']}</td>"
                        f"<td>{html.escape(push['service'])}</td><td>{html.escape(push['madonvi'] or '')}</td>"
                        f"<td>{html.escape(code)}</td><td>{html.escape(str(what))}</td>"
                        f"<td>{'Đã nhận' if ok else 'Từ chối: '}"
                        f"{'' if ok else html.escape(str(result.get('message')))}</td></tr>")
    return "".join(rows) or '<tr><td colspan="7">Chưa nhận dữ liệu nào.</td></tr>'


def render_pushes(pushes, statuses=None) -> str:
    changed = "".join(f"<li>{html.escape(code)}: {value}</li>" for code, value in (statuses or {}).items())
    return ("<!doctype html><html lang='vi'><head><meta charset='utf-8'><meta http-equiv='refresh' content='10'>"
            "<title>Cổng DVCQG (giả lập)</title><style>body{font-family:sans-serif;margin:1.5rem}"
            "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;"
            "text-align:left}</style></head><body><h1>Cổng Dịch vụ công Quốc gia — môi trường giả lập</h1>"
            "<form method='post' action='/_status'><fieldset><legend>Thay đổi trạng thái hồ sơ trên Cổng "
            "(người nộp rút hồ sơ: 7; yêu cầu thanh toán: 6; để trống để bỏ)</legend>"
            "<label>Mã hồ sơ <input name='MaHoSo' required size='32'></label> "
            "<label>TrangThaiHoSo <input name='TrangThaiHoSo' size='3'></label> "
            "<button type='submit'>Cập nhật</button></fieldset></form>"
            + (f"<p>Trạng thái do Cổng thay đổi:</p><ul>{changed}</ul>" if changed else "")
            + f"<p>Dữ liệu đã nhận từ hệ thống một cửa BHXH ({len(pushes)} lượt gửi, số thứ tự theo lúc đến).</p>"
            "<table><tr><th>#</th><th>Thời điểm</th><th>Dịch vụ</th><th>Mã đơn vị</th><th>Mã hồ sơ / PAKN</th>"
            f"<th>Nội dung</th><th>Kết quả</th></tr>{_rows(pushes)}</table></body></html>")


class FilesMixin:
    """`GET /files/<path>`: the `TaiLieuNop` files the sandbox serves (DuongDanTaiTepTin)."""

    def file(self, path, content=b"", content_type="application/pdf", content_b64=None, size=None):
        """Serve `content` (or `size` bytes of it repeated, or base64 `content_b64`) at GET `path`."""
        if content_b64 is not None:
            content = base64.b64decode(content_b64)
        content = content.encode() if isinstance(content, str) else content
        if size:
            content = (content or b"0") * (int(size) // max(1, len(content or b"0")) + 1)
            content = content[:int(size)]
        with self.lock:
            self.files["/" + path.lstrip("/")] = (content, content_type)

    def serve_file(self, path):
        with self.lock:
            found = self.files.get(path)
        if found:
            return found
        pdf = paper(path)  # a small valid PDF naming the dossier, for any TaiLieuNop link of the fixtures
        return (pdf, "application/pdf") if pdf is not None else None

