"""The access matrix (issue 13): every route of the URL conf × every role of the cast × own office / other office /
no login → the expected answer. The routes are read from the URL conf, so a route added without a line in RULES
fails `test_every_route_has_a_rule`, naming it. Adding a route = one line in RULES:

    "app:name": Rule(WHO, ...),   # WHO: the roles that pass; the others get 403 (or `denied=`)

Outcomes: "login" (a redirect to the login page, or 401 for the API), "403", "404", or the status when allowed
(`ok`, 200 by default). `scope="office"`: an object of another office is a 404 for office-bound roles (the Legal
Department and the administrator see every office); `scope="user"`: someone else's object is a 404 for everyone.
The objects: tests/core/access_world.py (one set per office, built once per module). Exports, PDFs, filters and
search: VARIANTS, with the other office's data never in what an office-bound role reads.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse

from tests.core.access_world import ACTORS, NAMES, OTHER, OWN, body_text, build_world, outcome, routes

ANY = frozenset({"reception", "processor", "director", "deputy", "legal", "admin"})
WRITERS = ANY - {"legal"}
RECEIVERS = frozenset({"reception", "admin"})
DESK = frozenset({"reception", "processor", "admin"})
BOOK = frozenset({"reception", "director", "deputy", "admin"})
OVERDUE = frozenset({"processor", "director", "deputy", "admin"})
LEADERS = frozenset({"director", "deputy", "admin"})
REPORTERS = LEADERS | {"legal"}
SIGNERS = frozenset({"director", "deputy"})
LEGAL_ADMIN = frozenset({"legal", "admin"})
STAFF = frozenset({"admin"})


@dataclass(frozen=True)
class Rule:
    roles: frozenset              # the roles that pass (signed in); every other role gets `denied`
    ok: tuple = (200,)            # the status(es) when allowed
    post: bool = False            # POST (an empty form) instead of GET
    scope: str = ""               # "office" or "user": see the module's docstring
    kw: object = None             # (side, actor) → URL kwargs
    query: str = ""               # formatted with Side.values(): {code}, {office}, {phone}, …
    public: bool = False          # no login needed (anonymous callers get `ok` too)
    denied: str = "403"


def PUBLIC(ok=(200,), **kw):
    return Rule(ANY, ok=ok, public=True, **kw)


def DOSSIER(s, a):
    return {"code": s.dossier.code}


def ACTION(s, a):
    return {"code": s.dossier.code, "action": "start"}


def FEEDBACK(s, a):
    return {"pk": s.feedback.pk}


def NO_PAPER(s, a):
    return {"code": s.dossier.code, "pk": 999_999}


def ALERT(s, a):
    return {"pk": (s.alerts.get(a) or s.alerts["director"]).pk}


REPORT = "?from=2026-01-01&to=2026-01-31"
# One line a route. Keys are `namespace:name` as in reverse(); "admin:*" covers Django's admin site.
RULES: dict[str, Rule] = {
    "home": Rule(ANY, query="?stay=1"),
    "login": PUBLIC(ok=(200, 302)),  # a signed-in user is sent on to their page
    "logout": PUBLIC(ok=(302,), post=True),
    "password_change": Rule(ANY),
    "set_language": PUBLIC(ok=(302,), post=True),
    "healthz": PUBLIC(ok=(200, 503)),
    "admin:*": Rule(STAFF, ok=(200, 403), denied="login"),  # 403: a model whose admin allows no adding
    "admin:login": PUBLIC(ok=(200, 302)),
    "admin:autocomplete": Rule(STAFF, ok=(403,), denied="login"),  # staff, and only with a field to complete
    "api-token": PUBLIC(ok=(400,), post=True),
    "api-logout": Rule(ANY, ok=(204,), post=True),
    "api-offices": Rule(ANY),
    "api-calendar-year": Rule(ANY, query="?year=2026"),
    "api-calendar-due-date": Rule(ANY, query="?start=2026-03-02T09:00:00%2B07:00&days=5"),
    "api-calendar-years": Rule(ANY),
    "api-procedures": Rule(ANY),
    "api-procedure-versions": Rule(ANY, kw=lambda s, a: {"code": "1.009020"}),
    "api-dossiers": Rule(ANY),
    "api-dossier": Rule(ANY, scope="office", kw=DOSSIER),
    "api-dossier-action": Rule(WRITERS, ok=(200, 409), post=True, scope="office", kw=ACTION),
    "api-dossier-events": Rule(ANY, scope="office", kw=DOSSIER),
    "api-dossier-apology-slips": Rule(SIGNERS, ok=(400,), post=True, scope="office", kw=DOSSIER),
    "api-public-dossier": PUBLIC(kw=DOSSIER, query="?phone={phone}"),
    "api-feedback": Rule(ANY),
    "api-feedback-item": Rule(ANY, scope="office", kw=FEEDBACK),
    "api-feedback-action": Rule(WRITERS, ok=(400, 409), post=True, scope="office",
                                kw=lambda s, a: {"pk": s.feedback.pk, "action": "classify"}),
    "api-report-tthc": Rule(REPORTERS, query=REPORT),
    "api-report-tthc-close": Rule(LEADERS, ok=(400,), post=True),
    "api-dashboard": Rule(LEADERS),
    "api-notifications": Rule(ANY),
    "api-notifications-read-all": Rule(ANY, ok=(200, 204), post=True),
    "api-notification-read": Rule(ANY, ok=(200, 204), post=True, scope="user", kw=ALERT),
    "schema": Rule(ANY),
    "api-docs": Rule(ANY),
    "workcal:year": Rule(ANY),
    "cases:desk": Rule(DESK),
    "cases:list": Rule(ANY),
    "cases:intake": Rule(RECEIVERS),
    "cases:bulk": Rule(RECEIVERS, ok=(302, 400), post=True),
    "cases:detail": Rule(ANY, scope="office", kw=DOSSIER),
    "cases:action": Rule(WRITERS, ok=(302,), post=True, scope="office", kw=ACTION),
    "cases:public_lookup": PUBLIC(query="?ma={code}&dt={phone}"),
    "cases:receipt": Rule(ANY, scope="office", kw=DOSSIER),
    "cases:supplement_slip": Rule(ANY, scope="office", kw=lambda s, a: {"code": s.dossier.code, "number": 1}),
    "cases:refusal_slip": Rule(ANY, scope="office", kw=lambda s, a: {"code": s.refused.code}),
    "cases:control_slip": Rule(ANY, scope="office", kw=DOSSIER),
    "cases:apology_slip": Rule(ANY, scope="office", kw=lambda s, a: {"code": s.dossier.code, "pk": s.apology.pk}),
    "cases:guidance_slip": Rule(ANY, scope="office", kw=lambda s, a: {"number": s.guidance.number}),
    "cases:tracking_book": Rule(BOOK, query="?office={office}"),
    "cases:overdue": Rule(OVERDUE),
    "cases:apology_draft": Rule(WRITERS, scope="office", kw=DOSSIER),
    "cases:apology_sign": Rule(SIGNERS, ok=(200,), post=True, scope="office",  # the confirmation page first
                               kw=lambda s, a: {"code": s.dossier.code, "pk": s.apology.pk}),
    "feedback:list": Rule(ANY),
    "feedback:detail": Rule(ANY, scope="office", kw=FEEDBACK),
    "feedback:action": Rule(WRITERS, ok=(302,), post=True, scope="office",
                            kw=lambda s, a: {"pk": s.feedback.pk, "action": "classify"}),
    "api-dossier-attachments": Rule(ANY, scope="office", kw=DOSSIER),
    "api-attachment-content": Rule(ANY, ok=(404,), scope="office", kw=NO_PAPER),  # no such paper of the dossier
    "api-verify": PUBLIC(ok=(400,), post=True),  # nothing to verify sent
    "attachments:upload": Rule(WRITERS, ok=(302,), post=True, scope="office", kw=DOSSIER),
    "attachments:generate_result": Rule(WRITERS, ok=(302,), post=True, scope="office", kw=DOSSIER),
    "attachments:retry": Rule(WRITERS, ok=(404,), post=True, scope="office", kw=NO_PAPER),
    "attachments:signed": PUBLIC(ok=(403,), kw=lambda s, a: {"token": "not-a-signed-link"}),
    "signing:download": PUBLIC(ok=(404,), kw=lambda s, a: {"token": "00000000-0000-0000-0000-000000000000"}),
    "signing:verify": PUBLIC(),
    "favicon": PUBLIC(ok=(301,)),
    "cases:rate": Rule(WRITERS, ok=(302,), post=True, scope="office", kw=DOSSIER),
    "cases:public_rate": PUBLIC(ok=(404,), post=True),  # no dossier named: the lookup's one answer
    "cases:rating_link": PUBLIC(ok=(404,), kw=lambda s, a: {"token": "not-a-rating-link"}),
    "cases:retry_message": Rule(WRITERS, ok=(302,), post=True, scope="office", kw=NO_PAPER),  # no such message
    "api-dossier-rating": Rule(WRITERS, ok=(400,), post=True, scope="office", kw=DOSSIER),
    "api-public-rating": PUBLIC(ok=(400,), post=True, kw=DOSSIER, query="?phone={phone}"),
    "portal:health": Rule(LEADERS),
    "portal:quarantine-retry": Rule(LEADERS, ok=(302,), post=True, scope="office",
                                    kw=lambda s, a: {"pk": s.quarantine.pk}),
    "reports:tthc": Rule(REPORTERS),
    "reports:tthc_close": Rule(LEADERS, ok=(302, 400), post=True),
    "reports:dashboard": Rule(LEADERS),
    "reports:oversight": Rule(LEGAL_ADMIN),
    "legal:list": Rule(LEGAL_ADMIN),
    "legal:add": Rule(LEGAL_ADMIN),
    "legal:edit": Rule(LEGAL_ADMIN, kw=lambda s, a: {"pk": _legal_basis_pk()}),
    "notifications:list": Rule(ANY),
    "notifications:read_all": Rule(ANY, ok=(302,), post=True),
    "notifications:read": Rule(ANY, ok=(302,), post=True, scope="user", kw=ALERT),
}

# Exports, PDFs, filters and search: each query is asked of its route like the route itself (same rule), and
# what an office-bound role reads must not hold the other office's dossier code ({other} below).
VARIANTS: dict[str, list[str]] = {
    "cases:list": ["?format=csv", "?format=xlsx", "?office={other_office}", "?q={other}", "?q={other_name}"],
    "api-dossiers": ["?format=csv", "?format=xlsx", "?office={other_office}", "?q={other}", "?q={other_name}",
                     "?cursor="],
    "cases:tracking_book": ["?office={other_office}", "?office={other_office}&format=xlsx",
                            "?office={other_office}&format=pdf"],
    # Every slip serves its PDF through the same lookup as its page (cases.views.slips.render_slip): three kinds
    # of row (dossier, guidance, apology slip) are enough to hold the PDF branch to the page's rule.
    "cases:receipt": ["?format=pdf"],
    "cases:apology_slip": ["?format=pdf"],
    "cases:guidance_slip": ["?format=pdf"],
    "cases:overdue": ["?office={other_office}"],
    "feedback:list": ["?q=PAKN", "?office={other_office}"],
    "api-feedback": ["?q=PAKN"],
    "reports:tthc": ["?office={other_office}"],
    "api-report-tthc": ["&format=csv", "&format=xlsx", "&office={other_office}"],
    "portal:health": ["?office={other_office}"],
}


def _legal_basis_pk():
    from legal.models import LegalBasisSet

    return LegalBasisSet.objects.order_by("pk").values_list("pk", flat=True).first()


def expected(rule: Rule, actor: str, where: str) -> set[str]:
    allowed = {str(code) for code in rule.ok}
    if rule.public:
        return allowed
    if actor == "anon":
        return {"login"}
    if actor not in rule.roles:  # of another office's object, either refusal may come first
        return {rule.denied} | ({"404"} if where == OTHER and rule.scope else set())
    if where == OTHER and (rule.scope == "user" or (rule.scope == "office" and actor not in ("legal", "admin"))):
        return {"404"}
    return allowed


def rule_for(name: str) -> Rule | None:
    return RULES.get(name) or (RULES.get("admin:*") if name.startswith(("admin:", "?admin/")) else None)


# --- the tests -----------------------------------------------------------------------------------------------

def test_every_route_has_a_rule():
    missing = sorted(name for name in routes() if rule_for(name) is None)
    assert not missing, ("routes without a line in RULES (tests/core/test_access_matrix.py): " + ", ".join(missing)
                         + ". Add one line each, e.g. \"app:name\": Rule(ANY).")


def test_every_rule_names_a_route():
    stale = sorted(set(RULES) - set(routes()) - {"admin:*"})
    assert not stale, f"RULES names routes that no longer exist: {', '.join(stale)}"
    assert not set(VARIANTS) - set(RULES), "VARIANTS names a route without a rule"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One set of objects per office, built once for the module inside a transaction that is rolled back."""
    from cases.models import Procedure
    from core.models import Office, User
    from tests.conftest import CAST

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            users = User.objects.select_related("office").in_bulk([u for u, *_ in CAST.values()], field_name="username")
            cast = {key: users[username] for key, (username, *_) in CAST.items()}
            offices = {o.code: o for o in Office.objects.current()}
            yield build_world(cast, {p.code: p for p in Procedure.objects.all()}, offices)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def clients(world, db, cast):
    """A signed-in test client per actor (and "anon")."""
    from django.test import Client

    made = {"anon": Client()}
    for actor, key in ACTORS.items():
        made[actor] = Client()
        made[actor].force_login(cast[key])
    return made


def _ask(client, method, url, data=None):
    """One request, undone afterwards (a savepoint), with the client's cookies as they were before."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, data or {})
            if response.streaming:  # read inside the savepoint: a streamed export queries as it goes
                response.text_body = body_text(response)
            transaction.set_rollback(True)
        return response
    finally:
        client.cookies = cookies


def _url(name, rule, side, actor, query="", extra=None):
    kwargs = rule.kw(side, actor) if rule.kw else {}
    return reverse(name, kwargs=kwargs) + (query or rule.query).format(**side.values(actor), **(extra or {}))


def _check(name, rule, world, clients, query="", leak=None):
    """Ask the route as every actor, of each office's object; return the mismatches (and leaks) as text lines.

    With `leak` (VARIANTS), an office-bound role may also be refused (400/403/404) or sent on (302), and nothing
    it reads (the body, a redirect) may hold the other office's dossier code or applicant, unless it asked for
    that very text (a search is echoed in its box)."""
    problems = []
    for actor in ("anon", *ACTORS):
        for where in (OWN, OTHER) if rule.scope else (OWN,):
            url = _url(name, rule, world[where], actor, query, leak)
            response = _ask(clients[actor], "post" if rule.post else "get", url)
            got, want = outcome(response), expected(rule, actor, where)
            bound = actor not in ("anon", "legal", "admin")
            if leak and want & {str(code) for code in rule.ok}:
                want = want | {"302"} | ({"400", "403", "404"} if bound else set())
            if got not in want:
                problems.append(f"{name} as {actor}, {where} office: {url} → {got}, expected {'/'.join(sorted(want))}")
            elif leak and bound and got in ("200", "302") and not rule.scope:  # a scoped object: 404 proves it
                text = response.text_body if response.streaming else body_text(response)
                seen = text + response.get("Location", "")
                for marker in (leak["other"], leak["other_name"]):
                    if marker not in url and marker in seen:
                        problems.append(f"{name} as {actor}: {url} shows the other office's {marker!r}")
    return problems


@pytest.mark.parametrize("name", sorted(name for name in RULES if name != "admin:*"))
def test_route_access(name, world, clients):
    problems = _check(name, RULES[name], world, clients)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name,query", [(name, query) for name, queries in VARIANTS.items() for query in queries])
def test_exports_pdfs_filters_and_search_stay_in_scope(name, query, world, clients):
    other = world[OTHER]
    query = (RULES[name].query + query) if query.startswith("&") else query
    leak = {"other": other.dossier.code, "other_office": other.office.code, "other_name": NAMES[other.office.code]}
    problems = _check(name, RULES[name], world, clients, query=query, leak=leak)
    assert not problems, "\n".join(problems)


def test_admin_site_is_for_staff_only(world, clients):
    """Every admin page without an object in its URL: staff only, everyone else to the admin's login."""
    names = sorted(name for name, pattern in routes().items()
                   if name.startswith("admin:") and not pattern.pattern.converters and "logout" not in name
                   and name != "admin:app_list")
    assert len(names) > 20
    problems = [p for name in names for p in _check(name, rule_for(name), world, clients)]
    assert not problems, "\n".join(problems)


def test_the_leak_check_sees_what_is_in_scope(world, clients):
    """The markers the variants look for are shown to whoever may see the other office: the check is not vacuous."""
    other = world[OTHER]
    def read(actor, url):
        response = _ask(clients[actor], "get", url)
        return response.text_body if response.streaming else body_text(response)

    assert NAMES["79"] in read("legal", "/ho-so/?q=" + NAMES["79"])
    assert other.dossier.code in read("admin", "/api/v1/dossiers/?format=csv")
    assert other.dossier.code in read("legal", "/ho-so/?format=xlsx")
    assert NAMES["79"] not in read("director", "/ho-so/?format=xlsx")


def test_the_api_answers_a_token_as_it_answers_a_session(world, clients, cast):
    """Every API route read with `Authorization: Token` (what scripts and the national systems use) gives what the
    same officer gets signed in, of their own office's objects and of the other office's."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    problems, checked = [], 0
    for actor in ("reception", "director", "legal"):
        token = Client(HTTP_AUTHORIZATION="Token " + Token.objects.get_or_create(user=cast[ACTORS[actor]])[0].key)
        for name, rule in RULES.items():
            if rule.post or rule.public or name.startswith("admin:"):
                continue
            for where in (OWN, OTHER) if rule.scope else (OWN,):
                url = _url(name, rule, world[where], actor)
                if not url.startswith(("/api/v1/", "/api/schema/")):  # the API, not the pages (/api/docs/ is a page)
                    continue
                got, want = outcome(_ask(token, "get", url)), expected(rule, actor, where)
                checked += 1
                if got not in want:
                    problems.append(f"{name} with {actor}'s token, {where} office: {url} → {got}, expected {want}")
    assert not problems, "\n".join(problems)
    assert checked > 40
