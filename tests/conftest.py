"""Shared fixtures: a fixed cast of users per role and office, and the service markers.

The reference data — the offices, the procedure catalogue, the cast and the working-day calendar — is built
once per test session, right after the test database is created (`django_db_setup` below), so every test
finds it without paying for it; the fixtures `offices`, `procedures` and `cast` only read it. Normal tests
run inside a transaction that is rolled back, so what they change disappears. A transactional test
(`django_db(transaction=True)`, `transactional_db`, `live_server`) ends with Django flushing every table:
the reference data is built again right after it (`pytest_runtest_teardown` below).

Tests marked `postgres` need TEST_DATABASE_URL to point at PostgreSQL; tests marked `redis` also need
REDIS_URL (a real Celery worker is started against it); tests marked `browser` need Debian's Chromium
(CHROMIUM_PATH, default /usr/bin/chromium). Without them those tests are skipped, except under
`--require-services` (what .ci/run uses), where a missing service is an error, never a silent skip.
"""
import os

import pytest

from core.models import Role

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_addoption(parser):
    parser.addoption("--require-services", action="store_true",
                     help="error instead of skipping when PostgreSQL/Redis tests cannot run")


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    has_redis = bool(os.environ.get("REDIS_URL"))
    has_chromium = os.path.exists(CHROMIUM)
    require = config.getoption("--require-services")
    missing = []
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            missing.append("TEST_DATABASE_URL (PostgreSQL)")
            item.add_marker(pytest.mark.skip(reason="needs TEST_DATABASE_URL pointing at PostgreSQL"))
        if "redis" in item.keywords and not (has_redis and on_postgres):
            missing.append("REDIS_URL and TEST_DATABASE_URL")
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL and TEST_DATABASE_URL"))
        if "browser" in item.keywords and not has_chromium:
            missing.append(f"Chromium at {CHROMIUM}")
            item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt install chromium)"))
    if require and missing:
        raise pytest.UsageError(f"--require-services: tests need {', '.join(sorted(set(missing)))}")


# key in the `cast` fixture: (username, role, office code, extra fields)
CAST = {
    "reception_hn": ("tiepnhan.hn", Role.RECEPTION, "01", {}),
    "reception_hcm": ("tiepnhan.hcm", Role.RECEPTION, "79", {}),
    "reception_cg": ("tiepnhan.caugiay", Role.RECEPTION, "01.005", {}),
    "processor_hn": ("chuyenvien.hn", Role.PROCESSOR, "01", {}),
    "director_hn": ("giamdoc.hn", Role.DIRECTOR, "01", {"title": "Giám đốc"}),
    "deputy_hn": ("phogiamdoc.hn", Role.DEPUTY, "01", {"title": "Phó Giám đốc"}),
    "director_hcm": ("giamdoc.hcm", Role.DIRECTOR, "79", {"title": "Giám đốc"}),
    "legal": ("phapche", Role.LEGAL, "00", {}),
    "admin": ("admin", Role.ADMIN, None, {}),
}


def load_reference_data():
    """Build what is missing of the offices, the catalogue, the cast and the calendar (idempotent)."""
    from cases.catalogue import load_procedures
    from core.demo import load_offices
    from core.models import Office, User
    from tests.factories import AdminFactory, UserFactory
    from workcal.models import CalendarStamp
    from workcal.services import calendar_materialise

    if not CalendarStamp.objects.exists():
        calendar_materialise()
    load_offices()
    load_procedures()
    offices = {o.code: o for o in Office.objects.current()}
    existing = set(User.objects.values_list("username", flat=True))
    for username, role, office, extra in CAST.values():
        if username in existing:
            continue
        if role == Role.ADMIN:
            AdminFactory(username=username)
        else:
            UserFactory(username=username, role=role, office=offices[office], **extra)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, plus the reference data, built once for the session."""
    with django_db_blocker.unblock():
        load_reference_data()


def _is_transactional(item):
    """The rule pytest-django uses to run a test as a TransactionTestCase (which flushes at its end)."""
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        # After the last test the session's fixtures (the test database itself) are gone: nothing to reload.
        if nextitem is not None and _is_transactional(item):
            from pytest_django.plugin import blocking_manager_key

            with item.config.stash[blocking_manager_key].unblock():
                load_reference_data()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offices(db):
    """The offices in force today, by code (00 central, the 34 provinces, grassroots 01.005, 01.006, 79.760)."""
    from core.models import Office

    return {o.code: o for o in Office.objects.current()}


@pytest.fixture
def cast(offices):
    """One user per role: Hà Nội (01) staff, a Hồ Chí Minh (79) officer, the Legal Department, an admin."""
    from core.models import User

    users = User.objects.select_related("office").in_bulk([username for username, *_ in CAST.values()],
                                                          field_name="username")
    return {key: users[username] for key, (username, *_) in CAST.items()}


@pytest.fixture
def no_cast(db):
    """For tests of what creates users (seed_demo): the session's cast removed (inside this test only)."""
    from core.models import User

    User.objects.all().delete()


CITIZEN = {"name": "Nguyễn Văn Ánh", "kind": "citizen", "id_number": "001085012345", "phone": "0912345678",
           "email": "anh@example.vn", "address": "Cầu Giấy, Hà Nội"}


@pytest.fixture
def procedures(db):
    """The catalogue (fixtures/procedures.csv), by code."""
    from cases.models import Procedure

    return {p.code: p for p in Procedure.objects.all()}


@pytest.fixture
def receive(cast, procedures):
    """receive(code="1.009020", at=None, officer="reception_hn", **applicant) → a received dossier."""
    from cases.services import dossier_receive
    from cases.validators import validate_phone

    def make(code="1.009020", at=None, officer="reception_hn", channel="direct", **applicant):
        data = {**CITIZEN, **applicant}
        data["phone"] = validate_phone(data["phone"]) if data.get("phone") else ""
        return dossier_receive(actor=cast[officer], procedure=procedures[code], applicant=data, channel=channel,
                               summary="Hồ sơ thử", received_at=at)

    return make


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def as_user(api):
    """as_user(user) → an API client authenticated as that user."""

    def login(user):
        api.force_authenticate(user)
        return api

    return login


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit():` — what happens once the block's transaction commits: its on-commit callbacks
    run, and the Celery tasks they queue run at once (eagerly, as a worker would pick them up)."""
    from contextlib import contextmanager

    from bhxh_portal.celery import app

    @contextmanager
    def run():
        eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
        app.conf.task_always_eager = app.conf.task_eager_propagates = True
        try:
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                yield callbacks
        finally:
            app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates

    return run
