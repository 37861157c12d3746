"""A stand-in for the SMS gateway and Zalo ZNS with its OAuth server, speaking their contracts (CONTRACTS.md §1.5).

    python -m notifications.sandbox --port 8767

Standard library only (no Django). One server serves all three base URLs (SMS_GATEWAY_URL, ZALO_ZNS_URL and
ZALO_OAUTH_URL may all point at it):
* `POST /MainService.svc/json/SendMultipleMessage_V4_post_json/` — the SMS gateway: checks the keys (when the
  sandbox was given them), the phone (national form 0…), `SmsType` "2", the brandname; a `RequestId` it has
  accepted before is answered `CodeResult` "124" (duplicate) and not sent again, as the real gateway does;
* `POST /message/template` — ZNS: header `access_token`, JSON `phone` (84…), `template_id`, `template_data`,
  `tracking_id`; an unknown or expired token is error -124, a phone without Zalo is error -118;
* `POST /v4/oa/access_token` — OAuth: form `refresh_token`, `app_id`, `grant_type=refresh_token`, header
  `secret_key`; returns a new access token **and a new refresh token**; a refresh token works once (rotation).
  Tokens are signed, so a restarted sandbox still accepts the tokens it issued before (apart from the
  once-only rule, which it remembers only while it runs); the first refresh token is `--refresh-token`, or any
  token the sandbox did not issue itself when none is given;
* `GET /` — an HTML page of the messages received; `GET /messages.json` — the same as JSON, with every call
  and every token refresh;
* switches for tests, as methods of `GatewaySandbox` or `POST /_control` with any of
  `{"fail_next": n | {"sms": n, "zns": n, "oauth": n}, "fail_with": "error" | "http500" | "garbage",
  "lose_reply_next": n | {"sms": n, "zns": n}, "expire_token": true, "no_zalo_account": ["849…"],
  "reset": true}`. `fail_next` n (a number) fails the next n SMS or ZNS calls, whichever come; `lose_reply_next`
  accepts a message and then answers HTTP 500, as a time-out after the gateway took it would look.
"""
import argparse
import hashlib
import hmac
import json
import os
import re
import threading
import time
import uuid
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from core.loopback import LoopbackServer, QuietHandler

from .sandbox_page import render_messages

SMS_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ZNS_PATH = "/message/template"
OAUTH_PATH = "/v4/oa/access_token"
SIGNING_KEY = b"bhxh-gateway-sandbox"  # a stand-in's key: it only has to survive a restart of the sandbox
NATIONAL_PHONE = re.compile(r"0\d{9,10}")
ZALO_PHONE = re.compile(r"84\d{9,10}")
SERVICES = ("sms", "zns", "oauth")


def _sign(text: str) -> str:
    return hmac.new(SIGNING_KEY, text.encode(), hashlib.sha256).hexdigest()[:20]


class GatewaySandbox(LoopbackServer):
    thread_name = "gateway-sandbox"

    """The gateways' state and switches; `serve()` runs it in a background thread (for tests)."""

    def __init__(self, *, api_key=None, secret_key=None, app_id=None, app_secret=None, refresh_token=None,
                 token_lifetime=90000):
        """Keys given here are checked; a key left None accepts any non-empty value."""
        self.api_key, self.secret_key = api_key, secret_key
        self.app_id, self.app_secret, self.refresh_token = app_id, app_secret, refresh_token
        self.token_lifetime = token_lifetime
        self.lock = threading.Lock()
        self.serial = int(time.time() * 1000)  # grows across restarts, so `expire_token` never hits new tokens
        self.url = None
        self.reset()

    # --- switches ---------------------------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.messages, self.calls, self.refreshes = [], [], []
            self.failures = {"any": 0, "sms": 0, "zns": 0, "oauth": 0}
            self.lost_replies = {"any": 0, "sms": 0, "zns": 0}
            self.fail_with = "error"
            self.no_zalo = set()
            self.used_refresh_tokens = set()
            self.request_ids = {}  # accepted SMS RequestId -> SMSID
            self.min_access_serial = 0

    def fail_next(self, n=1, *, service=None, kind=None):
        """Fail the next n calls of `service` ("sms", "zns", "oauth"; None: the next n SMS or ZNS calls)."""
        with self.lock:
            self.failures[service or "any"] += int(n)
            if kind:
                self.fail_with = kind

    def lose_reply_next(self, n=1, *, service=None):
        """Accept the next n messages, then answer HTTP 500 instead of the success reply."""
        with self.lock:
            self.lost_replies[service or "any"] += int(n)

    def expire_token(self):
        """Every access token issued so far stops working (error -124); refresh tokens still work."""
        with self.lock:
            self.min_access_serial = self.serial + 1

    def no_zalo_account(self, phones):
        with self.lock:
            self.no_zalo.update(str(p).lstrip("+") for p in phones)

    def control(self, body) -> dict:
        """`POST /_control`; the keys are applied in the order reset, fail_with, the others."""
        try:
            if body.get("reset"):
                self.reset()
            if body.get("fail_with"):
                if body["fail_with"] not in ("error", "http500", "garbage"):
                    raise ValueError(f"fail_with {body['fail_with']!r}")
                with self.lock:
                    self.fail_with = body["fail_with"]
            for key, method in (("fail_next", self.fail_next), ("lose_reply_next", self.lose_reply_next)):
                value = body.get(key)
                if isinstance(value, dict):
                    for service, n in value.items():
                        if service not in SERVICES:
                            raise ValueError(f"{key}: unknown service {service!r}")
                        method(int(n), service=service)
                elif value:
                    method(int(value))
            if body.get("expire_token"):
                self.expire_token()
            if body.get("no_zalo_account"):
                self.no_zalo_account(list(body["no_zalo_account"]))
        except (TypeError, ValueError, KeyError) as exc:
            return {"ok": False, "error": f"invalid control request: {exc}"}
        return {"ok": True}

    def state(self) -> dict:
        with self.lock:
            return {"messages": [dict(m) for m in self.messages], "calls": [dict(c) for c in self.calls],
                    "refreshes": [dict(r) for r in self.refreshes]}

    # --- faults -----------------------------------------------------------------------------------------

    def _take(self, counters, service) -> bool:
        with self.lock:
            for key in (service, "any"):
                if counters.get(key, 0) > 0 and (key != "any" or service != "oauth"):
                    counters[key] -= 1
                    return True
        return False

    def _failure(self, service, error_reply):
        """(status, reply) of a switched-on failure, or None."""
        if not self._take(self.failures, service):
            return None
        if self.fail_with == "http500":
            return 500, "Internal Server Error"
        if self.fail_with == "garbage":
            return 200, "<html>Hệ thống đang bảo trì</html>"
        return 200, error_reply

    # --- SMS --------------------------------------------------------------------------------------------

    def sms(self, body) -> tuple[int, object]:
        failure = self._failure("sms", {"CodeResult": "103", "ErrorMessage": "Simulated failure (sandbox fail_next)"})
        if failure:
            return failure

        def refuse(code, reason):
            return 200, {"CodeResult": code, "ErrorMessage": reason}

        if not self._key_ok(body.get("ApiKey"), self.api_key) or not self._key_ok(body.get("SecretKey"),
                                                                                  self.secret_key):
            return refuse("101", "Incorrect ApiKey or SecretKey")
        phone, content = str(body.get("Phone") or ""), str(body.get("Content") or "")
        if not NATIONAL_PHONE.fullmatch(phone):
            return refuse("108", f"Phone number is not in correct format: {phone!r}")
        if str(body.get("SmsType")) != "2":
            return refuse("118", f"Unsupported message type {body.get('SmsType')!r}")
        if not body.get("Brandname"):
            return refuse("104", "Brandname does not exist")
        if str(body.get("IsUnicode")) not in ("0", "1") or not content:
            return refuse("110", "The requested data is incorrect")
        request_id = str(body.get("RequestId") or "")
        with self.lock:
            if request_id and request_id in self.request_ids:
                return refuse("124", "Duplicate RequestId")
            sms_id = uuid.uuid4().hex[:20]
            if request_id:
                self.request_ids[request_id] = sms_id
            self.messages.append({
                "channel": "sms", "at": _now(), "phone": phone, "content": content, "id": sms_id,
                "request_id": request_id, "is_unicode": str(body.get("IsUnicode")),
                "brandname": body.get("Brandname"), "sms_type": str(body.get("SmsType")),
                "sandbox": str(body.get("Sandbox")),
                "unicode_mismatch": str(body.get("IsUnicode")) == "0" and not content.isascii(),
            })
        if self._take(self.lost_replies, "sms"):
            return 500, "Internal Server Error"
        return 200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id}

    @staticmethod
    def _key_ok(given, expected) -> bool:
        return bool(given) and (expected is None or hmac.compare_digest(str(given), str(expected)))

    # --- Zalo -------------------------------------------------------------------------------------------

    def _issue(self) -> dict:
        with self.lock:
            self.serial += 1
            serial = self.serial
        expires = int(time.time()) + self.token_lifetime
        access = f"sbx-at.{serial}.{expires}"
        refresh = f"sbx-rt.{serial}"
        return {"access_token": f"{access}.{_sign(access)}", "refresh_token": f"{refresh}.{_sign(refresh)}",
                "expires_in": str(self.token_lifetime)}

    def _access_ok(self, token) -> bool:
        try:
            prefix, serial, expires, signature = str(token).split(".")
        except ValueError:
            return False
        return (prefix == "sbx-at" and hmac.compare_digest(signature, _sign(f"{prefix}.{serial}.{expires}"))
                and int(expires) > time.time() and int(serial) >= self.min_access_serial)

    def _refresh_ok(self, token) -> bool:
        """Signed tokens are ours; any other is a first token (the configured one, or any when none is)."""
        parts = token.split(".")
        if len(parts) == 3 and parts[0] == "sbx-rt":
            return hmac.compare_digest(parts[2], _sign(f"{parts[0]}.{parts[1]}"))
        return self.refresh_token is None or hmac.compare_digest(token, self.refresh_token)

    def oauth(self, form, secret_key) -> tuple[int, object]:
        failure = self._failure("oauth", {"error": -14001, "error_name": "Internal error",
                                          "error_description": "Simulated failure (sandbox fail_next)"})
        if failure:
            return failure

        def refuse(code, name, description):
            return 200, {"error": code, "error_name": name, "error_description": description}

        if not self._key_ok(secret_key, self.app_secret):
            return refuse(-14003, "Invalid secret key", "secret_key header is missing or wrong")
        if not self._key_ok(form.get("app_id"), self.app_id):
            return refuse(-14004, "Invalid app id", "app_id is missing or wrong")
        if form.get("grant_type") != "refresh_token":
            return refuse(-14005, "Invalid grant type", f"grant_type {form.get('grant_type')!r}")
        token = form.get("refresh_token") or ""
        with self.lock:
            fresh = token and token not in self.used_refresh_tokens
            if fresh and self._refresh_ok(token):
                self.used_refresh_tokens.add(token)
            else:
                return refuse(-14014, "Invalid refresh token",
                              "The refresh token is invalid, or was used already (refresh tokens work once)")
        issued = self._issue()
        with self.lock:
            self.refreshes.append({"at": _now(), "refresh_token": token, "new_refresh_token": issued["refresh_token"],
                                   "new_access_token": issued["access_token"]})
        return 200, issued

    def zns(self, body, access_token) -> tuple[int, object]:
        failure = self._failure("zns", {"error": -100, "message": "Unknown error (sandbox fail_next)"})
        if failure:
            return failure

        def refuse(code, message):
            return 200, {"error": code, "message": message}

        if not self._access_ok(access_token):
            return refuse(-124, "Access token invalid or expired")
        phone, template_id = str(body.get("phone") or ""), str(body.get("template_id") or "")
        if not ZALO_PHONE.fullmatch(phone):
            return refuse(-108, f"Phone number invalid: {phone!r}")
        if not template_id:
            return refuse(-109, "Template ID invalid")
        if not isinstance(body.get("template_data"), dict):
            return refuse(-112, "Template data invalid")
        with self.lock:
            if phone in self.no_zalo:
                return refuse(-118, "Zalo account not existed")
            msg_id = uuid.uuid4().hex
            self.messages.append({
                "channel": "zalo", "at": _now(), "phone": phone, "template_id": template_id,
                "template_data": body["template_data"], "tracking_id": str(body.get("tracking_id") or ""),
                "id": msg_id, "access_token": access_token,
            })
        if self._take(self.lost_replies, "zns"):
            return 500, "Internal Server Error"
        return 200, {"error": 0, "message": "Success",
                     "data": {"msg_id": msg_id, "sent_time": str(int(time.time() * 1000)),
                              "quota": {"dailyQuota": "500", "remainingQuota": "499"}}}

    def log_call(self, service, status, reply):
        if isinstance(reply, dict):
            outcome = reply.get("CodeResult", reply.get("error", "ok" if "access_token" in reply else None))
        else:
            outcome = f"HTTP {status}"
        with self.lock:
            self.calls.append({"at": _now(), "service": service, "status": status, "outcome": str(outcome)})
            del self.calls[:-5000]

    # --- running ----------------------------------------------------------------------------------------

    def handler_class(self) -> type:
        return GatewayHandler


def _now() -> str:
    return datetime.now().strftime("%d/%m/%Y %H:%M:%S")


class GatewayHandler(QuietHandler):
    def _raw(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, raw):
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    def do_POST(self):  # noqa: N802
        raw, path = self._raw(), urlsplit(self.path).path
        if path == OAUTH_PATH:
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
            status, reply = self.sandbox.oauth(form, self.headers.get("secret_key"))
            self.sandbox.log_call("oauth", status, reply)
            return self._send(status, reply)
        body = self._json(raw)
        if path == "/_control":
            return self._send(200 if body is not None else 400,
                              self.sandbox.control(body) if body is not None else {"ok": False, "error": "not JSON"})
        if path.rstrip("/") == SMS_PATH.rstrip("/"):
            service = "sms"
            status, reply = (self.sandbox.sms(body) if body is not None
                             else (200, {"CodeResult": "110", "ErrorMessage": "The requested data is incorrect"}))
        elif path == ZNS_PATH:
            service = "zns"
            status, reply = (self.sandbox.zns(body, self.headers.get("access_token")) if body is not None
                             else (200, {"error": -201, "message": "Body is not JSON"}))
        else:
            return self._send(404, {"error": 404, "message": f"no such path {path}"})
        self.sandbox.log_call(service, status, reply)
        self._send(status, reply)

    def do_GET(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/messages.json":
            return self._send(200, self.sandbox.state())
        if path in ("/", "/index.html"):
            return self._send(200, render_messages(self.sandbox.state()))
        self._send(404, {"error": 404, "message": f"no such path {path}"})


def main(argv=None):
    parser = argparse.ArgumentParser(description="SMS gateway and Zalo ZNS sandbox (CONTRACTS.md §1.5)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--api-key", default=os.environ.get("SMS_API_KEY") or None,
                        help="SMS ApiKey to require (default: SMS_API_KEY, or any)")
    parser.add_argument("--secret-key", default=os.environ.get("SMS_SECRET_KEY") or None,
                        help="SMS SecretKey to require (default: SMS_SECRET_KEY, or any)")
    parser.add_argument("--app-id", default=os.environ.get("ZALO_APP_ID") or None,
                        help="Zalo app_id to require (default: ZALO_APP_ID, or any)")
    parser.add_argument("--app-secret", default=os.environ.get("ZALO_SECRET_KEY") or None,
                        help="Zalo secret_key to require (default: ZALO_SECRET_KEY, or any)")
    parser.add_argument("--refresh-token", default=os.environ.get("ZALO_REFRESH_TOKEN") or None,
                        help="the first refresh token (default: ZALO_REFRESH_TOKEN, or any not issued here)")
    parser.add_argument("--token-lifetime", type=int, default=90000, help="seconds an access token lives")
    args = parser.parse_args(argv)
    sandbox = GatewaySandbox(api_key=args.api_key, secret_key=args.secret_key, app_id=args.app_id,
                             app_secret=args.app_secret, refresh_token=args.refresh_token,
                             token_lifetime=args.token_lifetime)
    httpd = sandbox.server(args.host, args.port)
    print(f"Cổng SMS / Zalo ZNS giả lập: http://{args.host}:{httpd.server_address[1]}/", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
