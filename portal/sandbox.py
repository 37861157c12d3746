"""A stand-in for the national portal's adapter that speaks its contract (CONTRACTS.md §2).

    python -m portal.sandbox --port 8765

Standard library only (no Django). It serves:
* `POST /auth` and `POST /integration` with the six services; every reply is the contract's JSON envelope;
* a deterministic stream of COVID-support dossiers and PAKN items for any `madonvi` (the demo offices'
  000.00.01.G13 Hà Nội, 000.00.79.G13 Hồ Chí Minh …): `backlog` items at start, then one more every `every`
  seconds of wall time; item i is always the same item, so a restarted sandbox serves the same stream;
* `GET /` — an HTML page of the pushes received (DongBoHoSoMC, CapNhatTienDoHoSoMC, DongBoKetQuaPAKN);
* switches for tests, as methods of `Sandbox` or `POST /_control` {"action": ...}:
  `fault` (expire the session once, answer HTTP 500, answer busy, answer non-JSON, stall a page),
  `script` (serve a given reply or fixture page for the next call of a service), `reject` (fail one pushed
  item N times), `dataset` (how many items an office has), `reset`; `GET /_state` returns calls and pushes.
"""
import argparse
import html
import json
import os
import random
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from core.loopback import LoopbackServer, QuietHandler

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "national_portal"
BASE = datetime(2020, 6, 1, 7, 30)  # first generated item; the fixtures' own items are earlier (May 2020)
SUCCESS, SESSION_EXPIRED, BUSY = 0, "401", "-1"
LIST_SERVICES = {"LayDanhSachHoSo": "dossier", "LayDanhSachPAKN": "pakn"}
PUSH_SERVICES = {"DongBoHoSoMC": "MaHoSo", "CapNhatTienDoHoSoMC": "MaHoSo", "DongBoKetQuaPAKN": "MaPAKN"}

PROCEDURES = [  # (MaTTHC, TenTTHC, weight): mostly Resolution 42/NQ-CP support, some ordinary procedures
    ("1.009001", "Hỗ trợ người lao động tạm hoãn thực hiện hợp đồng lao động hoặc nghỉ việc không hưởng lương", 40),
    ("1.009002", "Hỗ trợ người sử dụng lao động vay vốn để trả lương ngừng việc", 25),
    ("1.009003", "Tạm dừng đóng vào quỹ hưu trí và tử tuất", 20),
    ("1.009014", "Cấp lại thẻ BHYT do mất hoặc hỏng", 8),
    ("1.009022", "Giải quyết hưởng chế độ ốm đau", 7),
]
SUMMARIES = {
    "1.009001": "Đề nghị xác nhận danh sách {n} người lao động tạm hoãn HĐLĐ do ảnh hưởng dịch Covid-19",
    "1.009002": "Xác nhận danh sách {n} người lao động ngừng việc để vay vốn Ngân hàng Chính sách xã hội",
    "1.009003": "Đề nghị tạm dừng đóng vào quỹ hưu trí và tử tuất {m} tháng do ảnh hưởng dịch Covid-19",
    "1.009014": "Cấp lại thẻ BHYT bị mất",
    "1.009022": "Đề nghị giải quyết chế độ ốm đau",
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Quang", "Ngọc", "Đức", "Thanh", "Hữu", "Bích"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hạnh", "Hùng", "Khánh", "Lan", "Long", "Mai", "Nam",
         "Oanh", "Phúc", "Quyên", "Sơn", "Tâm", "Trang", "Tuấn", "Việt", "Yến"]
COMPANIES = ["Công ty TNHH May {w}", "Công ty CP Du lịch {w}", "Công ty TNHH Nhà hàng {w}", "Công ty CP Vận tải {w}",
             "Công ty TNHH Lữ hành {w}", "Công ty CP Thương mại {w}", "Hợp tác xã Dịch vụ {w}"]
COMPANY_WORDS = ["Thăng Long", "Hồ Tây", "Sông Hồng", "Phố Cổ", "Bến Thành", "Sài Gòn Xanh", "Hoa Sen", "Trường An",
                 "Phương Nam", "Kinh Bắc"]
PLACES = {"01": ["Quận Cầu Giấy", "Quận Đống Đa", "Quận Hoàn Kiếm", "Quận Ba Đình", "Huyện Gia Lâm"],
          "79": ["Quận 1", "Quận 3", "Quận Bình Thạnh", "Thành phố Thủ Đức", "Quận Gò Vấp"]}
PROVINCE_NAMES = {"01": "Hà Nội", "79": "TP. Hồ Chí Minh"}
MOBILE = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "083", "070", "077", "035", "036", "039"]
TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
PAKN_TOPICS = [
    ("Chậm xác nhận danh sách hỗ trợ người lao động", "Doanh nghiệp nộp hồ sơ trên Cổng DVCQG đã quá hạn nhưng chưa "
     "được xác nhận danh sách người lao động.", "BHXH-THU"),
    ("Đề nghị hướng dẫn thủ tục tạm dừng đóng quỹ hưu trí", "Đề nghị cơ quan BHXH hướng dẫn cụ thể hồ sơ tạm dừng "
     "đóng vào quỹ hưu trí và tử tuất cho doanh nghiệp bị ảnh hưởng dịch Covid-19.", "BHXH-THU"),
    ("Cán bộ yêu cầu bổ sung giấy tờ nhiều lần", "Tôi phải đến bộ phận một cửa nhiều lần để bổ sung giấy tờ "
     "cho cùng một hồ sơ.", "BHXH-SO"),
    ("Kiến nghị kéo dài thời gian hỗ trợ", "Kiến nghị kéo dài thời gian được tạm dừng đóng quỹ hưu trí và tử tuất "
     "cho doanh nghiệp du lịch.", "BHXH-THU"),
]
DEFECTS = ["phone", "date", "procedure", "status"]


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _tax_code(rng) -> str:
    while True:
        first = "0" + "".join(rng.choice("0123456789") for _ in range(8))
        check = 10 - sum(w * int(d) for w, d in zip(TAX_WEIGHTS, first)) % 11
        if check <= 9:
            return first + str(check)


def _citizen_id(rng, province: str) -> str:
    century = rng.choice([0, 1, 2, 3])
    year = rng.randint(60, 99) if century < 2 else rng.randint(0, 5)
    return f"0{province[-2:]}{century}{year:02d}{rng.randint(0, 999999):06d}"


def _person(rng) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _province(madonvi: str) -> str:
    parts = madonvi.split(".")
    return parts[2] if len(parts) >= 4 and parts[2].isdigit() else "01"


class Stream:
    """Item i of an office's stream, for i in [0, count): dated BASE + i·interval, code numbered per day."""

    def __init__(self, kind: str, interval: int, invalid_every: int = 0):
        self.kind, self.interval, self.invalid_every = kind, interval, invalid_every

    def at(self, i: int) -> datetime:
        return BASE + timedelta(seconds=i * self.interval)

    def first_index_since(self, tungay: datetime) -> int:
        seconds = (tungay - BASE).total_seconds()
        return max(0, -int(-seconds // self.interval))  # ceil

    def first_of_day(self, i: int) -> int:
        midnight = datetime.combine(self.at(i).date(), datetime.min.time())
        return self.first_index_since(midnight)

    def index_of(self, code: str) -> int | None:
        """Inverse of the code of a generated item (for TraCuuHoSo)."""
        try:
            day, number = code.rsplit("-", 2)[-2:]
            midnight = datetime.strptime(day, "%y%m%d")
            return self.first_index_since(midnight) + int(number) - 1
        except (ValueError, IndexError):
            return None

    def item(self, madonvi: str, i: int) -> dict:
        rng = random.Random(f"{self.kind}:{madonvi}:{i}")
        return self._dossier(madonvi, i, rng) if self.kind == "dossier" else self._pakn(madonvi, i, rng)

    def _dossier(self, madonvi, i, rng) -> dict:
        at, province = self.at(i), _province(madonvi)
        code = f"{madonvi}-{at:%y%m%d}-{i - self.first_of_day(i) + 1:04d}"
        procedure, name, _ = rng.choices(PROCEDURES, weights=[p[2] for p in PROCEDURES])[0]
        enterprise = procedure in ("1.009002", "1.009003") or (procedure == "1.009001" and rng.random() < 0.6)
        place = rng.choice(PLACES.get(province, ["Trung tâm"]))
        owner = rng.choice(COMPANIES).format(w=rng.choice(COMPANY_WORDS)) if enterprise else _person(rng)
        item = {
            "MaHoSo": code, "MaTTHC": procedure, "TenTTHC": name, "MaLinhVuc": "BHXH-THU",
            "TenLinhVuc": "Thu BHXH, BHYT", "KenhThucHien": 2, "ChuHoSo": owner,
            "LoaiDoiTuong": 2 if enterprise else 1, "MaDoiTuong": "",
            "SoGiayToChuHoSo": _tax_code(rng) if enterprise else _citizen_id(rng, province),
            "SoDienThoai": rng.choice(MOBILE) + f"{rng.randint(0, 9999999):07d}",
            "Email": f"lienhe{i}@example.vn" if rng.random() < 0.5 else "",
            "DiaChi": f"{place}, {PROVINCE_NAMES.get(province, 'Việt Nam')}",
            "TrichYeuHoSo": SUMMARIES[procedure].format(n=rng.randint(3, 300), m=rng.choice([3, 6, 12])),
            "NgayNopHoSo": stamp(at), "NgayTiepNhan": "", "NgayHenTra": "", "TrangThaiHoSo": 1, "NgayTra": "",
            "DonViXuLy": f"BHXH {PROVINCE_NAMES.get(province, madonvi)}", "GhiChu": "",
            "TaiLieuNop": [{"TepDinhKemId": f"{code}-1", "TenTepDinhKem": "Danh sách người lao động.pdf",
                            "DuongDanTaiTepTin": f"/files/{code}/ds.pdf"}],
        }
        if self.invalid_every and i % self.invalid_every == self.invalid_every - 1:
            self._defect(item, DEFECTS[(i // self.invalid_every) % len(DEFECTS)])
        return item

    @staticmethod
    def _defect(item, defect):
        """The kinds of bad data the real portal sends now and then (cf. dossiers_page_bad.json)."""
        if defect == "phone":
            item["SoDienThoai"] = item["SoDienThoai"][:6]
        elif defect == "date":
            raw = item["NgayNopHoSo"]
            item["NgayNopHoSo"] = f"{raw[:4]}-{raw[4:6]}-{raw[6:8]} {raw[8:10]}:{raw[10:12]}"
        elif defect == "procedure":
            item["MaTTHC"] = "9.999999"
        else:
            item["TrangThaiHoSo"] = 99

    def _pakn(self, madonvi, i, rng) -> dict:
        at, province = self.at(i), _province(madonvi)
        tag = "".join(p for p in madonvi.split(".")[1:3] if p.isdigit())
        title, content, field = rng.choice(PAKN_TOPICS)
        return {
            "MaPAKN": f"PAKN.{at:%Y%m%d}.{tag}{i - self.first_of_day(i) + 1:03d}", "TieuDe": title,
            "NoiDung": content, "MaLinhVuc": field, "HoTen": _person(rng),
            "SoDienThoai": rng.choice(MOBILE) + f"{rng.randint(0, 9999999):07d}", "Email": "",
            "DiaChi": f"{rng.choice(PLACES.get(province, ['Trung tâm']))}, {PROVINCE_NAMES.get(province, 'Việt Nam')}",
            "NgayGui": stamp(at), "MaHoSoLienQuan": "", "MaDonVi": madonvi,
        }


class Sandbox(LoopbackServer):
    thread_name = "portal-sandbox"

    """The portal's state and switches; `serve()` runs it in a background thread (for tests)."""

    def __init__(self, *, backlog=30, pakn_backlog=None, every=None, interval=1200, pakn_interval=None,
                 invalid_every=0, username="bhxh", password="bhxh", fixtures=FIXTURES):
        self.backlog, self.every = backlog, every
        self.pakn_backlog = backlog // 5 if pakn_backlog is None else pakn_backlog
        self.streams = {"dossier": Stream("dossier", interval, invalid_every),
                        "pakn": Stream("pakn", pakn_interval or interval * 5)}
        self.username, self.password, self.fixtures = username, password, Path(fixtures)
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.reset()

    # --- switches ---------------------------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.sessions, self.faults, self.scripts, self.rejects = set(), [], [], {}
            self.datasets, self.calls, self.pushes, self.pushed_dossiers = {}, [], [], {}
            self.stall_release = threading.Event()

    def fault(self, kind, *, service=None, trang=None, times=1, seconds=30.0):
        """kind: "expire" (the session expires: error_code "401"), "http500", "busy" (error_code "-1"),
        "garbage" (a non-JSON reply), "stall" (hold the reply `seconds`, or until `release()`)."""
        with self.lock:
            self.faults.append({"kind": kind, "service": service, "trang": trang, "times": times,
                                "seconds": seconds})

    def release(self):
        self.stall_release.set()

    def script(self, service, *, reply=None, fixture=None, madonvi=None, times=1):
        """Serve `reply` (or the fixture file `fixture`) for the next `times` calls of `service`."""
        if fixture is not None:
            reply = json.loads((self.fixtures / fixture).read_text(encoding="utf-8"))
        with self.lock:
            self.scripts.append({"service": service, "madonvi": madonvi, "reply": reply, "times": times})

    def reject(self, code, times=1, message="Dữ liệu chưa hợp lệ (giả lập)", service=None):
        """Answer the next `times` pushes of this MaHoSo/MaPAKN (to `service`, or any) with a per-item error."""
        with self.lock:
            self.rejects[code] = {"times": times, "message": message, "service": service}

    def dataset(self, madonvi, *, dossiers=None, pakn=None):
        with self.lock:
            entry = self.datasets.setdefault(madonvi, {})
            if dossiers is not None:
                entry["dossier"] = dossiers
            if pakn is not None:
                entry["pakn"] = pakn

    def state(self) -> dict:
        with self.lock:
            return {"calls": list(self.calls), "pushes": list(self.pushes), "sessions": len(self.sessions)}

    # --- the contract -----------------------------------------------------------------------------------

    def count(self, kind, madonvi) -> int:
        fixed = self.datasets.get(madonvi, {}).get(kind)
        if fixed is not None:
            return fixed
        backlog = self.backlog if kind == "dossier" else self.pakn_backlog
        grown = int((time.monotonic() - self.started) // self.every) if self.every else 0
        return backlog + (grown if kind == "dossier" else grown // 5)

    def login(self, body) -> dict:
        if body.get("username") != self.username or body.get("password") != self.password:
            return {"error_code": "1", "message": "Sai tên đăng nhập hoặc mật khẩu", "result": []}
        token = uuid.uuid4().hex
        with self.lock:
            self.sessions.add(token)
        return {"error_code": SUCCESS, "message": "Thành công", "session": token}

    def _take(self, queue, match):
        with self.lock:
            for entry in queue:
                if match(entry):
                    entry["times"] -= 1
                    if entry["times"] <= 0:
                        queue.remove(entry)
                    return dict(entry)
        return None

    def integration(self, body) -> tuple[int, object]:
        """(HTTP status, reply) of one `POST /integration`."""
        service, madonvi = body.get("service"), body.get("madonvi") or ""
        fault = self._take(self.faults, lambda f: f["service"] in (None, service)
                           and f["trang"] in (None, body.get("trang")))
        if fault:
            answer = self._fault(fault)
            if answer is not None:
                return answer
        if body.get("session") not in self.sessions:
            return 200, {"error_code": SESSION_EXPIRED, "message": "Phiên làm việc đã hết hạn", "result": []}
        scripted = self._take(self.scripts, lambda s: s["service"] == service and s["madonvi"] in (None, madonvi))
        if scripted:
            self._remember_script(service, scripted["reply"])
            return 200, scripted["reply"]
        handler = getattr(self, f"_svc_{service}", None)
        if handler is None:
            return 200, {"error_code": "404", "message": f"Không có dịch vụ {service}", "result": []}
        return 200, {"error_code": SUCCESS, "message": "Thành công", "result": handler(madonvi, body)}

    def _fault(self, fault):
        kind = fault["kind"]
        if kind == "expire":
            with self.lock:
                self.sessions.clear()
            return None  # the unknown session is answered with "401" below
        if kind == "http500":
            return 500, "Internal Server Error"
        if kind == "busy":
            return 200, {"error_code": BUSY, "message": "Hệ thống đang bận, vui lòng thử lại sau", "result": []}
        if kind == "garbage":
            return 200, "<html>Bảo trì hệ thống</html>"
        if kind == "stall":
            self.stall_release.wait(fault["seconds"])
        return None

    def _remember_script(self, service, reply):
        """Scripted pushes are recorded too; scripted dossiers can be looked up with TraCuuHoSo."""
        if service == "LayDanhSachHoSo" and isinstance(reply, dict):
            for item in reply.get("result") or []:
                if isinstance(item, dict) and item.get("MaHoSo"):
                    with self.lock:
                        self.pushed_dossiers.setdefault(item["MaHoSo"], item)

    def _page(self, kind, madonvi, body) -> list:
        stream = self.streams[kind]
        size = max(1, min(int(body.get("sobanghi") or 50), 500))
        page = max(1, int(body.get("trang") or 1))
        try:
            since = datetime.strptime(str(body.get("tungay") or "20000101000000"), "%Y%m%d%H%M%S")
        except ValueError:
            since = datetime(2000, 1, 1)
        start = stream.first_index_since(since) + (page - 1) * size
        stop = min(start + size, self.count(kind, madonvi))
        return [stream.item(madonvi, i) for i in range(start, stop)]

    def _svc_LayDanhSachHoSo(self, madonvi, body):  # noqa: N802 - contract names
        return self._page("dossier", madonvi, body)

    def _svc_LayDanhSachPAKN(self, madonvi, body):  # noqa: N802
        return self._page("pakn", madonvi, body)

    def _svc_TraCuuHoSo(self, madonvi, body):  # noqa: N802
        code = str(body.get("mahoso") or "")
        with self.lock:
            if code in self.pushed_dossiers:
                return [self.pushed_dossiers[code]]
        stream = self.streams["dossier"]
        i = stream.index_of(code) if code.startswith(madonvi + "-") else None
        if i is not None and 0 <= i < self.count("dossier", madonvi):
            item = stream.item(madonvi, i)
            return [item] if item["MaHoSo"] == code else []
        return []

    def _push(self, service, madonvi, body):
        key = PUSH_SERVICES[service]
        data = body.get("data") if isinstance(body.get("data"), list) else []
        results = []
        for item in data:
            code = item.get(key, "") if isinstance(item, dict) else ""
            rejected = self._take_reject(code, service)
            results.append({key: code, "error_code": "1" if rejected else SUCCESS,
                            "message": rejected or "Thành công"})
            if not rejected and service == "DongBoHoSoMC":
                with self.lock:
                    self.pushed_dossiers[code] = item
        with self.lock:
            self.pushes.append({"at": datetime.now().strftime("%d/%m/%Y %H:%M:%S"), "service": service,
                                "madonvi": madonvi, "isUpdating": body.get("isUpdating"), "data": data,
                                "result": results})
            del self.pushes[:-2000]
        return results

    def _take_reject(self, code, service):
        with self.lock:
            entry = self.rejects.get(code)
            if not entry or entry["service"] not in (None, service):
                return None
            entry["times"] -= 1
            if entry["times"] <= 0:
                del self.rejects[code]
            return entry["message"]

    def _svc_DongBoHoSoMC(self, madonvi, body):  # noqa: N802
        return self._push("DongBoHoSoMC", madonvi, body)

    def _svc_CapNhatTienDoHoSoMC(self, madonvi, body):  # noqa: N802
        return self._push("CapNhatTienDoHoSoMC", madonvi, body)

    def _svc_DongBoKetQuaPAKN(self, madonvi, body):  # noqa: N802
        return self._push("DongBoKetQuaPAKN", madonvi, body)

    def log_call(self, path, body, dstcode, status, reply):
        code = reply.get("error_code") if isinstance(reply, dict) else None
        entry = {"path": path, "service": body.get("service"), "madonvi": body.get("madonvi"),
                 "trang": body.get("trang"), "dstcode": dstcode, "status": status, "error_code": code}
        with self.lock:
            self.calls.append(entry)
            del self.calls[:-5000]

    def control(self, body) -> dict:
        """`POST /_control` {"action": "fault" | "script" | "reject" | "dataset" | "release" | "reset", ...}."""
        action = body.pop("action", "")
        first = {"fault": "kind", "script": "service", "reject": "code", "dataset": "madonvi"}
        try:
            if action == "reset":
                self.reset()
            elif action == "release":
                self.release()
            elif action in first:
                getattr(self, action)(body.pop(first[action]), **body)
            else:
                return {"error_code": "400", "message": f"Không rõ thao tác {action!r}"}
        except (KeyError, TypeError, ValueError, OSError) as exc:
            return {"error_code": "400", "message": f"Tham số không hợp lệ: {exc}"}
        return {"error_code": SUCCESS, "message": "Thành công"}

    # --- running ----------------------------------------------------------------------------------------

    def handler_class(self) -> type:
        return SandboxHandler


class SandboxHandler(QuietHandler):
    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    def do_POST(self):  # noqa: N802
        body = self._body()
        if body is None:
            return self._send(200, {"error_code": "400", "message": "Dữ liệu gửi lên không phải JSON", "result": []})
        dstcode = self.headers.get("dstcode")
        if self.path == "/_control":
            return self._send(200, self.sandbox.control(body))
        if not dstcode:
            status, reply = 200, {"error_code": "403", "message": "Thiếu header dstcode", "result": []}
        elif self.path == "/auth":
            status, reply = 200, self.sandbox.login(body)
        elif self.path == "/integration":
            status, reply = self.sandbox.integration(body)
        else:
            status, reply = 404, {"error_code": "404", "message": "Không có đường dẫn này", "result": []}
        self.sandbox.log_call(self.path, body, dstcode, status, reply)
        self._send(status, reply)

    def do_GET(self):  # noqa: N802
        if self.path == "/_state":
            return self._send(200, self.sandbox.state())
        if self.path in ("/", "/index.html"):
            return self._send(200, render_pushes(self.sandbox.state()["pushes"]))
        self._send(404, {"error_code": "404", "message": "Không có đường dẫn này"})


def render_pushes(pushes) -> str:
    rows = []
    for push in reversed(pushes[-300:]):
        for item, result in zip(push["data"] or [{}], push["result"] or [{}]):
            code = item.get("MaHoSo") or item.get("MaPAKN") or ""
            what = item.get("NoiDungXuLy") or item.get("TrangThaiHoSo") or item.get("NoiDungTraLoi", "")[:80]
            ok = str(result.get("error_code")) in ("0", "00")
            rows.append(f"<tr><td>{push['at']}</td><td>{html.escape(push['service'])}</td>"
                        f"<td>{html.escape(push['madonvi'] or '')}</td><td>{html.escape(code)}</td>"
                        f"<td>{html.escape(str(what))}</td><td>{'Đã nhận' if ok else 'Từ chối: '}"
                        f"{'' if ok else html.escape(str(result.get('message')))}</td></tr>")
    body = "".join(rows) or '<tr><td colspan="6">Chưa nhận dữ liệu nào.</td></tr>'
    return ("<!doctype html><html lang='vi'><head><meta charset='utf-8'><meta http-equiv='refresh' content='10'>"
            "<title>Cổng DVCQG (giả lập)</title><style>body{font-family:sans-serif;margin:1.5rem}"
            "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;"
            "text-align:left}</style></head><body><h1>Cổng Dịch vụ công Quốc gia — môi trường giả lập</h1>"
            f"<p>Dữ liệu đã nhận từ hệ thống một cửa BHXH ({len(pushes)} lượt gửi).</p><table><tr><th>Thời điểm</th>"
            "<th>Dịch vụ</th><th>Mã đơn vị</th><th>Mã hồ sơ / PAKN</th><th>Nội dung</th><th>Kết quả</th></tr>"
            f"{body}</table></body></html>")


def main(argv=None):
    parser = argparse.ArgumentParser(description="National portal sandbox (CONTRACTS.md §2)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--backlog", type=int, default=40, help="dossiers each office has at start")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between two new dossiers")
    parser.add_argument("--interval", type=int, default=1200, help="seconds between two dossiers' NgayNopHoSo")
    parser.add_argument("--invalid-every", type=int, default=25, help="every N-th dossier is invalid (0: none)")
    parser.add_argument("--username", default=os.environ.get("NATIONAL_PORTAL_USERNAME") or "bhxh")
    parser.add_argument("--password", default=os.environ.get("NATIONAL_PORTAL_PASSWORD") or "bhxh")
    args = parser.parse_args(argv)
    sandbox = Sandbox(backlog=args.backlog, every=args.every or None, interval=args.interval,
                      invalid_every=args.invalid_every,
                      username=args.username, password=args.password)
    httpd = sandbox.server(args.host, args.port)
    print(f"Cổng DVCQG giả lập: http://{args.host}:{httpd.server_address[1]}/", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
