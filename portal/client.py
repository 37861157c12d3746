"""HTTP client of the national portal adapter (CONTRACTS.md §2).

Rules it implements:
* every call is a POST of JSON with the header `dstcode`;
* a reply is a success only when it is JSON with `error_code` 0, "0" or "00"; anything else, a non-JSON reply,
  an HTTP error or a time-out is a failure of that call (PortalError, with a plain Vietnamese message);
* log in with `POST {base}/auth`; the session is cached (django cache) and reused by every worker; a reply with
  `error_code` "401" means the session expired: log in again, once, and retry;
* network errors, time-outs, 5xx and busy replies (`error_code` "-1" …) are retried with exponential back-off.
"""
import hashlib
import logging
import time

import requests
from django.conf import settings
from django.core.cache import cache

from . import contract

log = logging.getLogger(__name__)
SESSION_TTL = 25 * 60  # seconds a cached session is reused before logging in again anyway


class PortalError(Exception):
    """A failed call. `str()` is a plain Vietnamese sentence for officers; `detail` is for the log."""

    def __init__(self, message: str, *, code: str = "", detail: str = "", retryable: bool = False):
        super().__init__(message)
        self.message, self.code, self.detail, self.retryable = message, code, detail, retryable

    def __str__(self):
        return self.message


class PortalNotConfigured(PortalError):
    pass


class SessionExpired(PortalError):
    pass


class PortalClient:
    """One adapter endpoint. All defaults come from the NATIONAL_PORTAL_* settings."""

    def __init__(self, base_url=None, *, username=None, password=None, dstcode=None, timeout=None, retries=None,
                 backoff=None, http=None):
        self.base_url = (base_url or settings.NATIONAL_PORTAL_URL or "").rstrip("/")
        if not self.base_url:
            raise PortalNotConfigured("Chưa cấu hình địa chỉ Cổng DVCQG (NATIONAL_PORTAL_URL).")
        self.username = username if username is not None else settings.NATIONAL_PORTAL_USERNAME
        self.password = password if password is not None else settings.NATIONAL_PORTAL_PASSWORD
        self.dstcode = dstcode if dstcode is not None else settings.NATIONAL_PORTAL_DSTCODE
        self.timeout = timeout if timeout is not None else settings.NATIONAL_PORTAL_TIMEOUT
        self.retries = retries if retries is not None else getattr(settings, "NATIONAL_PORTAL_RETRIES", 3)
        self.backoff = backoff if backoff is not None else getattr(settings, "NATIONAL_PORTAL_BACKOFF", 1.0)
        self.http = http or requests.Session()
        self.page_size = min(settings.NATIONAL_PORTAL_PAGE_SIZE, contract.MAX_PAGE_SIZE)
        ident = f"{self.base_url}|{self.username}|{self.dstcode}".encode()
        self._cache_key = "portal:session:" + hashlib.sha1(ident).hexdigest()

    # --- session ------------------------------------------------------------------------------------------

    def login(self) -> str:
        """`POST {base}/auth` with {"username", "password"} → the session token, cached for every worker."""
        reply = self._post("/auth", {"username": self.username, "password": self.password})
        token = reply.get("session")
        if not token or not isinstance(token, str):
            raise PortalError("Đăng nhập Cổng DVCQG không trả về phiên làm việc.", detail=str(reply)[:500])
        cache.set(self._cache_key, token, SESSION_TTL)
        return token

    def session(self, *, fresh=False) -> str:
        token = None if fresh else cache.get(self._cache_key)
        return token or self.login()

    def forget_session(self):
        cache.delete(self._cache_key)

    # --- operations ---------------------------------------------------------------------------------------

    def call(self, service: str, madonvi: str, **params) -> dict:
        """`POST {base}/integration` with {"session", "madonvi", "service", ...params}; on "401" log in again,
        once, and retry. Returns the whole reply (a success)."""
        for fresh in (False, True):
            body = {"session": self.session(fresh=fresh), "madonvi": madonvi, "service": service, **params}
            try:
                return self._post("/integration", body)
            except SessionExpired:
                self.forget_session()
                if fresh:
                    raise PortalError("Cổng DVCQG từ chối phiên làm việc ngay sau khi đăng nhập lại.",
                                      code=contract.SESSION_EXPIRED) from None
                log.info("portal session expired, logging in again")
        raise AssertionError("unreachable")

    def results(self, service: str, madonvi: str, **params) -> list:
        reply = self.call(service, madonvi, **params)
        result = reply.get("result", [])
        if result is None:
            return []
        if not isinstance(result, list):
            raise PortalError("Cổng DVCQG trả về dữ liệu không đúng định dạng (result không phải danh sách).",
                              detail=str(result)[:500])
        return result

    def list_dossiers(self, madonvi, *, tungay, trang, sobanghi=None) -> list:
        return self.results(contract.LIST_DOSSIERS, madonvi, tungay=tungay, trang=trang,
                            sobanghi=sobanghi or self.page_size)

    def list_pakn(self, madonvi, *, tungay, trang, sobanghi=None) -> list:
        return self.results(contract.LIST_PAKN, madonvi, tungay=tungay, trang=trang,
                            sobanghi=sobanghi or self.page_size)

    def lookup_dossier(self, madonvi, mahoso) -> dict | None:
        found = self.results(contract.LOOKUP_DOSSIER, madonvi, mahoso=mahoso)
        return found[0] if found else None

    def update_progress(self, madonvi, progress: list) -> list:
        return self.results(contract.UPDATE_PROGRESS, madonvi, data=progress)

    def sync_dossiers(self, madonvi, dossiers: list, *, updating=True) -> list:
        return self.results(contract.SYNC_DOSSIERS, madonvi, isUpdating="True" if updating else "False",
                            data=dossiers)

    def push_pakn_answers(self, madonvi, answers: list) -> list:
        return self.results(contract.PAKN_ANSWERS, madonvi, data=answers)

    # --- transport ----------------------------------------------------------------------------------------

    def _post(self, path: str, body: dict) -> dict:
        """One logical call, retried with back-off while the failure is transient."""
        for attempt in range(self.retries + 1):
            try:
                return self._post_once(path, body)
            except PortalError as exc:
                if not exc.retryable or attempt >= self.retries:
                    raise
                delay = self.backoff * 2 ** attempt
                log.warning("portal %s failed (%s), retry %d in %.2fs", path, exc.detail or exc, attempt + 1, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _post_once(self, path: str, body: dict) -> dict:
        try:
            response = self.http.post(self.base_url + path, json=body, headers={"dstcode": self.dstcode},
                                      timeout=self.timeout)
        except requests.Timeout as exc:
            raise PortalError(f"Cổng DVCQG không trả lời trong {self.timeout} giây.", detail=str(exc),
                              retryable=True) from None
        except requests.RequestException as exc:
            raise PortalError("Không kết nối được tới Cổng DVCQG.", detail=str(exc), retryable=True) from None
        return self._reply(response)

    def _reply(self, response) -> dict:
        status = response.status_code
        if status >= 500:
            raise PortalError(f"Cổng DVCQG gặp lỗi máy chủ (HTTP {status}).", code=str(status),
                              detail=response.text[:500], retryable=True)
        if status == 401:
            raise SessionExpired("Phiên làm việc với Cổng DVCQG đã hết hạn.", code="401")
        if status == 429:
            raise PortalError("Cổng DVCQG đang quá tải.", code="429", retryable=True)
        if status >= 400:
            raise PortalError(f"Cổng DVCQG từ chối yêu cầu (HTTP {status}).", code=str(status),
                              detail=response.text[:500])
        try:
            reply = response.json()
        except ValueError:
            raise PortalError("Cổng DVCQG trả về dữ liệu không phải JSON.", detail=response.text[:500]) from None
        if not isinstance(reply, dict):
            raise PortalError("Cổng DVCQG trả về dữ liệu không đúng định dạng.", detail=str(reply)[:500])
        code = contract.error_code(reply)
        if contract.is_success(code):
            return reply
        message = str(reply.get("message") or "")
        if code == contract.SESSION_EXPIRED:
            raise SessionExpired("Phiên làm việc với Cổng DVCQG đã hết hạn.", code=code, detail=message)
        if code in contract.BUSY_CODES:
            raise PortalError("Cổng DVCQG đang bận, sẽ thử lại sau.", code=code, detail=message, retryable=True)
        raise PortalError(f"Cổng DVCQG báo lỗi (mã {code or 'trống'}): {message or 'không rõ nguyên nhân'}.",
                          code=code, detail=message)
