"""The sandbox's file host: `GET /files/<MaHoSo>/<name>` answers a small, valid one-page PDF naming the dossier,
as the national portal serves the applicant's uploaded papers (TaiLieuNop.DuongDanTaiTepTin), so that `make run`
shows the papers fetched and listed on the dossier page."""
from urllib.parse import unquote

PREFIX = "/files/"


def _pdf(text: str) -> bytes:
    safe = "".join(ch for ch in text if ch.isascii() and ch.isprintable() and ch not in "()\\")
    stream = f"BT /F1 14 Tf 72 770 Td (Cong DVCQG - tai lieu nop: {safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def paper(path: str) -> bytes | None:
    """The file at `path`, or None when it is not a paper's path."""
    if not path.startswith(PREFIX):
        return None
    parts = [unquote(p) for p in path[len(PREFIX):].split("?", 1)[0].split("/") if p]
    if len(parts) != 2 or ".." in parts:
        return None
    return _pdf(f"{parts[0]} / {parts[1]}")
