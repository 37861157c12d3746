"""Shared fixtures: a fixed cast of users per role and office, and the service markers.

Tests marked `postgres` need TEST_DATABASE_URL to point at PostgreSQL; tests marked `redis` also need
REDIS_URL (a real Celery worker is started against it); tests marked `browser` need Debian's Chromium
(CHROMIUM_PATH, default /usr/bin/chromium). Without them those tests are skipped, except under
`--require-services` (what .ci/run uses), where a missing service is an error, never a silent skip.
"""
import os

import pytest

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


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offices(db):
    from core.demo import load_offices
    from core.models import Office

    load_offices()
    return {o.code: o for o in Office.objects.current()}


def _user(username, role, office, **extra):
    from core.models import User

    user = User.objects.create_user(username, password="pw-" + username, role=role, office=office,
                                    first_name=username, **extra)
    return user


@pytest.fixture
def cast(offices):
    """One user per role: Hà Nội (01) staff, a Hồ Chí Minh (79) officer, the Legal Department, an admin."""
    from core.models import Role, User

    return {
        "reception_hn": _user("tiepnhan.hn", Role.RECEPTION, offices["01"]),
        "reception_hcm": _user("tiepnhan.hcm", Role.RECEPTION, offices["79"]),
        "reception_cg": _user("tiepnhan.caugiay", Role.RECEPTION, offices["01.005"]),
        "processor_hn": _user("chuyenvien.hn", Role.PROCESSOR, offices["01"]),
        "director_hn": _user("giamdoc.hn", Role.DIRECTOR, offices["01"], title="Giám đốc"),
        "deputy_hn": _user("phogiamdoc.hn", Role.DEPUTY, offices["01"], title="Phó Giám đốc"),
        "director_hcm": _user("giamdoc.hcm", Role.DIRECTOR, offices["79"], title="Giám đốc"),
        "legal": _user("phapche", Role.LEGAL, offices["00"]),
        "admin": User.objects.create_superuser("admin", "a@b.c", "pw-admin", role=Role.ADMIN),
    }


CITIZEN = {"name": "Nguyễn Văn Ánh", "kind": "citizen", "id_number": "001085012345", "phone": "0912345678",
           "email": "anh@example.vn", "address": "Cầu Giấy, Hà Nội"}


@pytest.fixture
def procedures(db):
    from cases.catalogue import load_procedures
    from cases.models import Procedure

    load_procedures()
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
