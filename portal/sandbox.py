"""A stand-in for the national portal's adapter that speaks its contract (CONTRACTS.md §2).

    python -m portal.sandbox --port 8765

Standard library only (no Django). It serves:
* `POST /auth` and `POST /integration` with the six services; every reply is the contract's JSON envelope;
* a deterministic stream of COVID-support dossiers and PAKN items for any `madonvi` (the demo offices'
  000.00.01.G13 Hà Nội, 000.00.79.G13 Hồ Chí Minh …): `backlog` items at start, then one more every `every`
  seconds of wall time; item i is always the same item, so a restarted sandbox serves the same stream;
* `GET /` — an HTML page of the pushes received (DongBoHoSoMC, CapNhatTienDoHoSoMC, DongBoKetQuaPAKN), each
  numbered in the order it arrived, with a form that changes a dossier's status on the portal's side (as when
  the applicant withdraws there, or is asked to pay): `POST /_status` (form or JSON `MaHoSo`, `TrangThaiHoSo`);
* `GET /files/<path>` — the `TaiLieuNop` files (`DuongDanTaiTepTin`): a small PDF for any path, or what a test
  registered with `file()` (bytes, content type; for size and type checks of the fetching side);
* switches for tests, as methods of `Sandbox` or `POST /_control` {"action": ...}:
  `fault` (expire the session once, answer HTTP 500, answer busy, answer non-JSON, stall a page, or `hang`:
  hold the call until released, then drop it unprocessed, as a call whose caller died), `script` (serve a
  given reply or fixture page for the next call of a service), `reject` (fail one pushed item N times),
  `dataset` (how many items an office has), `status` (the portal's own status of a dossier), `file`, `reset`;
  `GET /_state` returns calls, pushes, the portal's current object of each dossier, and its status changes.
"""
import argparse
import json
import os
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote

from core.loopback import LoopbackServer, QuietHandler

from .sandbox_page import FilesMixin, render_pushes
from .sandbox_stream import FIXTURES, Stream, recent_base, stamp  # noqa: F401 - stamp is part of the sandbox's surface

LIST_SERVICES = {"LayDanhSachHoSo": "dossier", "LayDanhSachPAKN": "pakn"}
PUSH_SERVICES = {"DongBoHoSoMC": "MaHoSo", "CapNhatTienDoHoSoMC": "MaHoSo", "DongBoKetQuaPAKN": "MaPAKN"}
SUCCESS, SESSION_EXPIRED, BUSY = 0, "401", "-1"

class Sandbox(FilesMixin, LoopbackServer):
    thread_name = "portal-sandbox"

    """The portal's state and switches; `serve()` runs it in a background thread (for tests)."""

    def __init__(self, *, backlog=30, pakn_backlog=None, every=None, interval=1200, pakn_interval=None,
                 invalid_every=0, username="bhxh", password="bhxh", fixtures=FIXTURES, live_from=None,
                 keep_pushes=2000):
        self.backlog, self.every, self.live = backlog, every, live_from is not None
        self.pakn_backlog = backlog // 5 if pakn_backlog is None else pakn_backlog
        # live_from (make run): items dated from then on, each served once its date has passed (a few a day)
        self.streams = {"dossier": Stream("dossier", interval, invalid_every, base=live_from),
                        "pakn": Stream("pakn", pakn_interval or interval * 5, base=live_from)}
        self.username, self.password, self.fixtures = username, password, Path(fixtures)
        self.keep_pushes = keep_pushes
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.reset()

    # --- switches ---------------------------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.sessions, self.faults, self.scripts, self.rejects = set(), [], [], {}
            self.datasets, self.calls, self.pushes, self.pushed_dossiers = {}, [], [], {}
            self.overrides, self.files, self.push_count = {}, {}, 0
            self.stall_release = threading.Event()

    def fault(self, kind, *, service=None, trang=None, times=1, seconds=30.0, skip=0):
        """kind: "expire" (the session expires: error_code "401"), "http500", "busy" (error_code "-1"),
        "garbage" (a non-JSON reply), "stall" (hold the reply `seconds`, or until `release()`), "hang" (held
        like a stall, then dropped unprocessed). The first `skip` matching calls pass untouched."""
        with self.lock:
            self.faults.append({"kind": kind, "service": service, "trang": trang, "times": times,
                                "seconds": seconds, "skip": skip})

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

    def status(self, code, value=None):
        """The portal's own status of a dossier (e.g. 7: the applicant withdrew on the portal; 6: payment
        requested): served by LayDanhSachHoSo and TraCuuHoSo from now on, whatever we push. None clears it."""
        with self.lock:
            if value is None:
                self.overrides.pop(code, None)
            else:
                self.overrides[code] = int(value)

    def received(self, code) -> list:
        """What the portal received about one dossier, in arrival order: (number, service, isUpdating, status)."""
        with self.lock:
            return [(push["n"], push["service"], push["isUpdating"],
                     item.get("TrangThaiHoSo", item.get("TrangThai")))
                    for push in self.pushes for item, line in zip(push["data"], push["result"])
                    if isinstance(item, dict) and item.get("MaHoSo") == code and str(line.get("error_code")) == "0"]

    def state(self) -> dict:
        with self.lock:
            return {"calls": list(self.calls), "pushes": list(self.pushes), "sessions": len(self.sessions),
                    "dossiers": {code: self._override(item) for code, item in self.pushed_dossiers.items()},
                    "statuses": dict(self.overrides)}

    def _override(self, item):
        """The item as the portal serves it now: its own status change (if any) over what it was sent."""
        if isinstance(item, dict) and item.get("MaHoSo") in self.overrides:
            return dict(item, TrangThaiHoSo=self.overrides[item["MaHoSo"]])
        return item

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
                    if entry.get("skip"):
                        entry["skip"] -= 1
                        return None
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
            reply = scripted["reply"]
            if service in ("LayDanhSachHoSo", "TraCuuHoSo") and isinstance(reply, dict):
                with self.lock:
                    reply = dict(reply, result=[self._override(i) for i in reply.get("result") or []])
            return 200, reply
        handler = getattr(self, f"_svc_{service}", None)
        if handler is None:
            return 200, {"error_code": "404", "message": f"Không có dịch vụ {service}", "result": []}
        result = handler(madonvi, body)
        if service in ("LayDanhSachHoSo", "TraCuuHoSo"):
            with self.lock:
                result = [self._override(item) for item in result]
        return 200, {"error_code": SUCCESS, "message": "Thành công", "result": result}

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
        if kind == "hang":  # held, then dropped unprocessed: the caller is gone (killed) by then
            self.stall_release.wait(fault["seconds"])
            return 503, {"error_code": "503", "message": "Yêu cầu bị hủy", "result": []}
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
            self.push_count += 1
            self.pushes.append({"n": self.push_count, "at": datetime.now().strftime("%d/%m/%Y %H:%M:%S"),
                                "service": service, "madonvi": madonvi, "isUpdating": body.get("isUpdating"),
                                "data": data, "result": results})
            del self.pushes[:-self.keep_pushes]
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
        first = {"fault": "kind", "script": "service", "reject": "code", "dataset": "madonvi", "status": "code",
                 "file": "path"}
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
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
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
        if self.path == "/_status":  # the form of the page: the portal changes a dossier's status on its side
            value = str(body.get("TrangThaiHoSo") or "").strip()
            self.sandbox.status(str(body.get("MaHoSo") or "").strip(), int(value) if value.isdigit() else None)
            self.send_response(303)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
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
            state = self.sandbox.state()
            return self._send(200, render_pushes(state["pushes"], state["statuses"]))
        found = self.sandbox.serve_file(unquote(self.path.split("?", 1)[0]))
        if found:
            return self._send(200, found[0], found[1])
        self._send(404, {"error_code": "404", "message": "Không có đường dẫn này"})


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
    parser.add_argument("--keep-pushes", type=int, default=2000, help="push calls kept for the page and /_state")
    parser.add_argument("--username", default=os.environ.get("NATIONAL_PORTAL_USERNAME") or "bhxh")
    parser.add_argument("--password", default=os.environ.get("NATIONAL_PORTAL_PASSWORD") or "bhxh")
    args = parser.parse_args(argv)
    live = recent_base(args.recent_days) if args.recent_days > 0 else None
    sandbox = Sandbox(backlog=args.backlog, every=args.every or None,
                      interval=86400 // max(args.per_day, 1) if live else args.interval,
                      invalid_every=args.invalid_every, live_from=live, keep_pushes=args.keep_pushes,
                      username=args.username, password=args.password)
    httpd = sandbox.server(args.host, args.port)
    print(f"Cổng DVCQG giả lập: http://{args.host}:{httpd.server_address[1]}/", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
