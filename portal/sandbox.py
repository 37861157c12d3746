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
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

from core.loopback import LoopbackServer, QuietHandler

from .sandbox_stream import FIXTURES, Stream, recent_base, stamp  # noqa: F401 - stamp is part of the sandbox's surface
from . import sandbox_files

LIST_SERVICES = {"LayDanhSachHoSo": "dossier", "LayDanhSachPAKN": "pakn"}
PUSH_SERVICES = {"DongBoHoSoMC": "MaHoSo", "CapNhatTienDoHoSoMC": "MaHoSo", "DongBoKetQuaPAKN": "MaPAKN"}
SUCCESS, SESSION_EXPIRED, BUSY = 0, "401", "-1"

class Sandbox(LoopbackServer):
    thread_name = "portal-sandbox"

    """The portal's state and switches; `serve()` runs it in a background thread (for tests)."""

    def __init__(self, *, backlog=30, pakn_backlog=None, every=None, interval=1200, pakn_interval=None,
                 invalid_every=0, username="bhxh", password="bhxh", fixtures=FIXTURES, live_from=None):
        self.backlog, self.every, self.live = backlog, every, live_from is not None
        self.pakn_backlog = backlog // 5 if pakn_backlog is None else pakn_backlog
        # live_from (make run): items dated from then on, each served once its date has passed (a few a day)
        self.streams = {"dossier": Stream("dossier", interval, invalid_every, base=live_from),
                        "pakn": Stream("pakn", pakn_interval or interval * 5, base=live_from)}
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
        if self.live:
            return self.streams[kind].count_until(datetime.now())
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
        if (paper := sandbox_files.paper(self.path)) is not None:  # TaiLieuNop files
            return self._send(200, paper, content_type="application/pdf")
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
    parser.add_argument("--recent-days", type=int, default=14,
                        help="a live feed dated from about this many days ago, a few items a day (0: the fixed "
                             "backlog and --every)")
    parser.add_argument("--per-day", type=int, default=3, help="items a day of the live feed")
    parser.add_argument("--username", default=os.environ.get("NATIONAL_PORTAL_USERNAME") or "bhxh")
    parser.add_argument("--password", default=os.environ.get("NATIONAL_PORTAL_PASSWORD") or "bhxh")
    args = parser.parse_args(argv)
    live = recent_base(args.recent_days) if args.recent_days > 0 else None
    sandbox = Sandbox(backlog=args.backlog, every=args.every or None,
                      interval=86400 // max(args.per_day, 1) if live else args.interval,
                      invalid_every=args.invalid_every, live_from=live,
                      username=args.username, password=args.password)
    httpd = sandbox.server(args.host, args.port)
    print(f"Cổng DVCQG giả lập: http://{args.host}:{httpd.server_address[1]}/", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
