"""The read replica (issue 14): with a `reports` database configured, the dashboard, the reports and the exports
read from it; the rest, every write, and a client's reads right after its own write stay on the primary.

The replica here is a second PostgreSQL database copied from the test database (CREATE DATABASE … TEMPLATE)
and then left behind, as a lagging replica is: rows written to the primary after the copy are not on it.
"""
import psycopg2
import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.urls import reverse

from cases.models import Dossier
from core.replica import PIN_COOKIE, READ_FROM_REPLICA, REPLICA, ReplicaRouter
from tests.factories import DossierFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")]


def _admin_connect(settings_dict):
    conn = psycopg2.connect(dbname="postgres", user=settings_dict["USER"], host=settings_dict["HOST"] or None,
                            password=settings_dict["PASSWORD"] or None, port=settings_dict["PORT"] or None)
    conn.autocommit = True
    return conn


@pytest.fixture
def replica(offices, settings):
    """Three submitted Hà Nội dossiers copied to the replica; then two more written to the primary only."""
    for _ in range(3):
        DossierFactory(office=offices["01"])
    primary = dict(connections["default"].settings_dict)
    name = primary["NAME"] + "_replica"
    connections.close_all()
    admin = _admin_connect(primary)
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary["NAME"]}"')
    # Configured as REPORTS_DATABASE_URL would, with its connection made here (pytest-django only lets a test
    # open the connections it declared or made itself).
    settings.DATABASES = {**settings.DATABASES, REPLICA: {**primary, "NAME": name}}
    connections[REPLICA] = DatabaseWrapper({**primary, "NAME": name}, alias=REPLICA)
    for _ in range(2):
        DossierFactory(office=offices["01"])
    yield name
    connections[REPLICA].close()
    del connections[REPLICA]
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def waiting(client):
    response = client.get("/api/v1/dashboard/")
    assert response.status_code == 200, response.content
    return response.json()["tiles"]["waiting"]


def test_the_dashboard_reads_from_the_replica_and_the_list_from_the_primary(as_user, cast, replica):
    client = as_user(cast["director_hn"])
    assert waiting(client) == 3  # the replica has not caught up with the last two
    assert client.get("/api/v1/dossiers/?status=submitted").json()["count"] == 5  # the officer's list: primary
    assert Dossier.objects.using(REPLICA).count() == 3


def test_exports_read_from_the_replica(as_user, cast, replica):
    response = as_user(cast["director_hn"]).get("/api/v1/dossiers/?format=csv&status=submitted")
    assert response.status_code == 200
    rows = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + 3  # header and the replica's three


def test_a_client_reads_its_own_write_from_the_primary(client, cast, replica):
    client.force_login(cast["director_hn"])
    assert client.get(reverse("reports:dashboard")).status_code == 200
    assert waiting(client) == 3
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})  # any write pins to the primary
    assert PIN_COOKIE in client.cookies
    assert waiting(client) == 5
    del client.cookies[PIN_COOKIE]
    assert waiting(client) == 3


def test_who_is_asking_is_read_from_the_primary(client, as_user, cast, replica):
    """A session or a user made after the replica's copy still signs in on a replica-read page."""
    from core.models import User
    from tests.factories import UserFactory

    newcomer = UserFactory(username="giamdoc.moi", role=cast["director_hn"].role, office=cast["director_hn"].office)
    assert not User.objects.using(REPLICA).filter(username="giamdoc.moi").exists()
    client.force_login(newcomer)
    assert client.get(reverse("reports:dashboard")).status_code == 200
    assert waiting(as_user(newcomer)) == 3


def test_writes_never_go_to_the_replica(as_user, cast, replica, offices):
    DossierFactory(office=offices["01"])
    assert Dossier.objects.using(REPLICA).count() == 3
    router = ReplicaRouter()
    assert router.db_for_write(Dossier) == "default"
    assert router.allow_migrate(REPLICA, "cases") is False and router.allow_migrate("default", "cases") is True


def test_every_replica_view_name_exists():
    for name in READ_FROM_REPLICA:
        assert reverse(name)
