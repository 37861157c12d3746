"""Locust scenario: officers at the one-stop desks of Hà Nội and Hồ Chí Minh City (issue 13 "Load", issue 14).

Each simulated officer has an API token and a page session: issued beforehand (LOAD_LOGIN=issued, logged
in earlier in the day), or by logging in twice as the desk does (LOAD_LOGIN=form: `POST /api/v1/auth/token/`
for the API and the login form for the pages). Then, with a think time between actions (LOAD_THINK, seconds "min-max"):
intake at the desk (`POST /api/v1/dossiers/`), search by name or ID number (`?q=`), the list (first page,
a filtered page), the dossier page (HTML), the dossier over the API, and the receipt slip as PDF of a dossier
the officer received. Run by `python -m bench load` (bench/bench_load.py), which sets LOAD_USERS (a JSON list
of [username, password, token, session key]), LOAD_LOGIN (issued | form), LOAD_RESULT and LOAD_PROCEDURE.

    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 120s --host http://127.0.0.1:8100
"""
import itertools
import json
import os
import random
import re

from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

ACCOUNTS = json.loads(os.environ.get("LOAD_USERS", '[["tiepnhan.hn", "demo-pass-2020"]]'))
PROCEDURE = os.environ.get("LOAD_PROCEDURE", "1.009020")
_think = os.environ.get("LOAD_THINK", "1-3")
THINK = constant(0) if _think in ("0", "") else between(*map(float, _think.split("-")))
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"]
SEARCHES = ["Nguyen", "Tran Thi", "Người nộp 12", "0010", "Binh", "Cuong"]
_accounts = itertools.cycle(ACCOUNTS)
_serial = itertools.count(1)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _applicant():
    n = next(_serial)
    return {"name": random.choice(NAMES), "kind": "citizen", "id_number": f"0010{n % 100_000_000:08d}",
            "phone": f"09{random.randint(10_000_000, 99_999_999)}", "email": "", "address": "Hà Nội"}


def _cookie(name, value):
    from http.cookiejar import Cookie

    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None,
                  None, {})


class Officer(FastHttpUser):
    wait_time = THINK

    def on_start(self):
        self.username, password, token, session = next(_accounts)
        self.codes, self.mine = [], []
        if os.environ.get("LOAD_LOGIN", "issued") == "issued":  # logged in earlier in the day
            self.token = token
            self.client.cookiejar.set_cookie(_cookie("sessionid", session))
            return
        self.token = None
        with self.client.post("/api/v1/auth/token/", json={"username": self.username, "password": password},
                              name="login: API token", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"token: {response.status_code} {response.text[:200]}")
                return
            self.token = response.json()["token"]
        page = self.client.get("/dang-nhap/", name="login: form")
        match = CSRF.search(page.text or "")
        if match:
            self.client.post("/dang-nhap/", data={"username": self.username, "password": password,
                                                  "csrfmiddlewaretoken": match[1]},
                             headers={"Referer": f"{self.host}/dang-nhap/"}, name="login: session")

    @property
    def auth(self):
        return {"Authorization": f"Token {self.token}"}

    @task(2)
    def intake(self):
        body = {"procedure": PROCEDURE, "channel": "direct", "summary": "Đề nghị hưởng BHXH một lần",
                "applicant": _applicant()}
        with self.client.post("/api/v1/dossiers/", json=body, headers=self.auth, name="intake (POST /dossiers/)",
                              catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return
            dossier = response.json()
            self.mine.append((dossier["code"], dossier["receipt_url"]))
            self.mine = self.mine[-20:]

    @task(3)
    def search(self):
        self.client.get(f"/api/v1/dossiers/?q={random.choice(SEARCHES)}", headers=self.auth,
                        name="search (?q=)")

    @task(4)
    def list_first_page(self):
        response = self.client.get("/api/v1/dossiers/", headers=self.auth, name="list (first page)")
        if response.status_code == 200:
            self.codes = [row["code"] for row in response.json()["results"]]

    @task(1)
    def list_filtered(self):
        """A status filter, then one of its first pages (as far as the filter has pages)."""
        status = random.choice(["received", "processing", "resolved"])
        url = f"/api/v1/dossiers/?status={status}"
        response = self.client.get(url, headers=self.auth, name="list (status filter)")
        pages = -(-response.json()["count"] // 50) if response.status_code == 200 else 0
        if pages > 1:
            self.client.get(f"{url}&page={random.randint(2, min(pages, 5))}", headers=self.auth,
                            name="list (status filter, page 2-5)")

    @task(3)
    def dossier_page(self):
        code = self._some_code()
        if code:
            self.client.get(f"/ho-so/{code}/", name="dossier page (HTML)")

    @task(2)
    def dossier_api(self):
        code = self._some_code()
        if code:
            self.client.get(f"/api/v1/dossiers/{code}/", headers=self.auth, name="dossier (API)")

    @task(1)
    def receipt_pdf(self):
        if not self.mine:
            return
        _code, url = random.choice(self.mine)
        with self.client.get(f"{url}?format=pdf", headers=self.auth, name="receipt slip (PDF)",
                             catch_response=True) as response:
            if response.status_code == 200 and not (response.content or b"").startswith(b"%PDF"):
                response.failure("not a PDF")

    def _some_code(self):
        pool = self.codes + [code for code, _ in self.mine]
        return random.choice(pool) if pool else None


@events.quitting.add_listener
def _results(environment, **_kwargs):
    """bench_load.py reads the figures (and judges them) from LOAD_RESULT."""
    environment.process_exit_code = 0
    if os.environ.get("LOAD_RESULT"):
        stats = environment.stats
        with open(os.environ["LOAD_RESULT"], "w", encoding="utf-8") as fh:
            json.dump({"stats": stats.serialize_stats(),
                       "errors": [{"method": e.method, "name": e.name, "error": str(e.error),
                                   "occurrences": e.occurrences} for e in stats.errors.values()]}, fh)
