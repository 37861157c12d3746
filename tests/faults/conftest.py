"""Fault drills (issue 13): each starts its own services — a private redis-server, a private PostgreSQL cluster,
gunicorn, Celery workers — on free loopback ports, breaks one of them mid-work and checks what users see. They
need the `redis-server` and PostgreSQL server binaries; without them they are skipped, except under
`--require-services` (.ci/run), where that is an error."""
import pytest

from .servers import PG_BIN, REDIS_SERVER


def _need(request, what, present):
    if present:
        return
    if request.config.getoption("--require-services"):
        pytest.fail(f"--require-services: the fault drills need {what}")
    pytest.skip(f"needs {what}")


@pytest.fixture
def private_redis(request):
    from .servers import PrivateRedis

    _need(request, "redis-server (apt install redis-server)", REDIS_SERVER)
    server = PrivateRedis()
    yield server
    server.stop()


@pytest.fixture
def private_postgres(request):
    from .servers import PrivatePostgres

    _need(request, "the PostgreSQL server binaries (/usr/lib/postgresql/*/bin)", PG_BIN)
    server = PrivatePostgres()
    yield server
    server.remove()
