"""docker-compose.yml, the Dockerfile, .dockerignore, the Procfile and .env.example refer only to things that
exist and say what they must (there is no Docker engine here, so the files are checked by reading them)."""
import importlib
import re
import shlex
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = (ROOT / "bhxh_portal" / "settings.py").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
WORKERS = {"celery": "worker", "sync": "worker-sync", "messages": "worker-messages", "scan": "worker-scan",
           "reports": "worker-reports"}  # queue → the compose service consuming it


def settings_variables():
    return set(re.findall(r'setting\("([A-Z_]+)"', SETTINGS))


def _command_words(command):
    text = " ".join(command) if isinstance(command, list) else command
    return shlex.split(text.replace("&&", " && "))


def _check_words(words):
    for i, word in enumerate(words):
        if word == "manage.py":
            assert words[i + 1] in get_commands(), f"manage.py {words[i + 1]} does not exist"
        if word == "-A":
            assert importlib.import_module(words[i + 1]).celery_app
        if ":" in word and word.endswith(":application"):
            module = word.split(":")[0]
            assert hasattr(importlib.import_module(module), "application")


def test_compose_has_every_service_with_health_checks_and_named_volumes():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "postgres-replica", "redis", "migrate", "web", "beat", *WORKERS.values()}
    for name in ("postgres", "postgres-replica", "redis", "web", *WORKERS.values()):
        assert "healthcheck" in services[name], name
    assert set(COMPOSE["volumes"]) == {"pgdata", "pgreplica", "redisdata", "appdata"}


def test_migrations_run_once_before_web_worker_and_beat_start():
    services = COMPOSE["services"]
    assert _command_words(services["migrate"]["command"])[:3] == ["python", "manage.py", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "beat", *WORKERS.values()):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert "migrate" not in _command_words(services[name]["command"]), f"{name} migrates by itself"


def _option(words, name):
    return words[words.index(name) + 1] if name in words else None


def test_compose_runs_one_worker_per_queue_with_its_own_concurrency_and_health_check():
    """Issue 14: `sync`, `messages`, `scan`, `reports` (and the default queue) each consumed by a service of
    its own, named by its queue in the health check, so a stalled portal never holds up a citizen's SMS."""
    from django.conf import settings

    services = COMPOSE["services"]
    assert set(settings.WORKER_QUEUES) == set(WORKERS) == {"celery", "sync", "messages", "scan", "reports"}
    consumed = {}
    for queue, name in WORKERS.items():
        words = _command_words(services[name]["command"])
        assert words[:4] == ["celery", "-A", "bhxh_portal", "worker"], name
        assert _option(words, "-Q") == queue, f"{name} must consume exactly the {queue} queue"
        assert _option(words, "-n") == f"{queue}@%h", name
        concurrency = [w for w in words if w.startswith("--concurrency=")]
        assert concurrency and int(concurrency[0].split("=")[1]) >= 1, f"{name} sets its concurrency"
        assert f"-d {queue}@$$HOSTNAME" in services[name]["healthcheck"]["test"][1], name
        consumed[queue] = name
    assert len(set(consumed.values())) == len(consumed)


def test_every_task_is_routed_to_a_queue_a_worker_consumes():
    from bhxh_portal.celery import app
    from django.conf import settings

    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert {"portal.tasks.sync_office", "portal.tasks.push_message", "notifications.tasks.deliver_message",
            "cases.tasks.scan_overdue"} <= set(ours)
    queues = {name: (app.amqp.router.route({}, name).get("queue") or app.conf.task_default_queue) for name in ours}
    queues = {name: getattr(queue, "name", queue) for name, queue in queues.items()}
    assert set(queues.values()) <= set(settings.WORKER_QUEUES), queues
    assert queues["portal.tasks.sync_office"] == queues["portal.tasks.push_message"] == "sync"
    assert queues["notifications.tasks.deliver_message"] == queues["notifications.tasks.deliver_pending"] == "messages"
    assert queues["cases.tasks.scan_overdue"] == "scan"
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in queues, f"beat schedules {entry['task']}, which no module defines"


def test_make_run_worker_consumes_every_queue():
    from django.conf import settings

    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    words = _command_words(line.partition(":")[2])
    assert set(_option(words, "-Q").split(",")) == set(settings.WORKER_QUEUES)
    assert _option(words, "--pool") != "solo" and "--pool=solo" not in words, \
        "one slot would let a stalled portal call hold up the messages in `make run` too"


def _dockerfile():
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerignore_keeps_local_state_secrets_and_caches_out_of_the_image():
    patterns = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    assert {".venv", "var", ".env", ".git", "**/__pycache__", ".pytest_cache", ".hypothesis"} <= patterns


def test_dockerfile_installs_dependencies_before_copying_the_code_and_runs_as_a_user():
    steps = _dockerfile()
    copies = [i for i, (op, _) in enumerate(steps) if op == "COPY"]
    first_copy, code_copy = steps[copies[0]][1], copies[-1]
    assert first_copy.split()[0] == "pyproject.toml", "the first COPY is the dependency list alone"
    assert steps[code_copy][1].split()[0] == ".", "the code is copied last"
    installs = [i for i, (op, args) in enumerate(steps) if op == "RUN" and "pip install" in args]
    assert installs and installs[0] < code_copy, "dependencies are installed in a layer before the code"
    assert "--no-deps" in steps[installs[-1]][1], "the code layer must not reinstall the dependencies"
    users = [args.strip() for op, args in steps if op == "USER"]
    assert users and users[-1] not in {"root", "0"}, "the image runs as an unprivileged user"
    assert [i for i, (op, _) in enumerate(steps) if op == "USER"][-1] > code_copy
    assert steps[-1][0] == "CMD" and "gunicorn" in steps[-1][1]


def test_compose_commands_refer_to_things_that_exist():
    for name, service in COMPOSE["services"].items():
        if "command" in service and name not in ("postgres", "redis"):
            _check_words(_command_words(service["command"]))


def test_compose_environment_is_read_by_the_settings():
    known = settings_variables()
    for name, service in COMPOSE["services"].items():
        if name in ("postgres", "postgres-replica", "redis"):
            continue
        for variable in service.get("environment", {}):
            assert variable in known, f"{name} sets {variable}, which the settings never read"
    assert COMPOSE["services"]["web"]["environment"]["DATABASE_URL"].startswith("postgres://")


def test_procfile_commands_exist():
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        words = _command_words(command)
        _check_words(words)
        if "-m" in words:
            assert importlib.util.find_spec(words[words.index("-m") + 1]) is not None, line
    assert {"web", "worker", "beat"} <= {line.split(":")[0] for line in (ROOT / "Procfile").read_text().splitlines()}


def test_env_example_documents_every_setting():
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = settings_variables() - documented
    assert not missing, f".env.example does not document {sorted(missing)}"


def test_fault_drills_are_marked_so_the_ci_postgres_pass_runs_them():
    drills = sorted((ROOT / "tests" / "faults").glob("test_*.py"))
    assert {p.name for p in drills} >= {"test_redis_outage.py", "test_portal_faults.py", "test_database_outage.py"}
    for path in drills:
        text = path.read_text()
        assert "pytest.mark.faults" in text and "pytest.mark.postgres" in text, path.name
    ci = (ROOT / ".ci" / "run").read_text()
    assert "--require-services" in ci and "redis-server" in ci and "initdb" in ci
def test_compose_supplies_no_secret_key_and_requires_one():
    """Issue 13: compose used to supply a SECRET_KEY default that everyone could read. It may only pass on the one
    from .env, refusing to start without it (`${SECRET_KEY:?…}`)."""
    text = (ROOT / "docker-compose.yml").read_text()
    for name, service in COMPOSE["services"].items():
        value = str(service.get("environment", {}).get("SECRET_KEY", "${SECRET_KEY:?}"))
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]*\}", value), f"{name} supplies SECRET_KEY={value!r}"
    assert ":-" not in "".join(line for line in text.splitlines() if "SECRET_KEY" in line)


# --- The streaming read replica (issue 14): on demand only, by the compose profile `postgres-replica` ---------

REPLICA_PROFILE = "postgres-replica"


def _interpolate(value: str, env: dict) -> str:
    """Compose's `${VAR:+word}`, `${VAR:-word}` and `${VAR}` as far as this file uses them."""
    def one(match):
        name, op, word = match.group(1), match.group(2), match.group(3)
        current = env.get(name, "")
        if op == ":+":
            return word if current else ""
        if op == ":-":
            return current or word
        return current
    return re.sub(r"\$\{([A-Z_]+)(?:(:[+-])([^}]*))?\}", one, value)


def _mounted_script(service: dict, target_prefix: str) -> str:
    for volume in service["volumes"]:
        source, _, rest = volume.partition(":")
        if rest.startswith(target_prefix):
            return (ROOT / source).read_text()
    raise AssertionError(f"nothing mounted under {target_prefix}")


def test_the_replica_is_started_only_with_its_profile_and_nothing_else_has_one():
    services = COMPOSE["services"]
    assert services["postgres-replica"]["profiles"] == [REPLICA_PROFILE]
    assert [name for name, service in services.items() if "profiles" in service] == ["postgres-replica"]
    for name in ("web", "beat", *WORKERS.values()):  # waited for only when it runs at all
        assert services[name]["depends_on"]["postgres-replica"] == {"condition": "service_healthy",
                                                                    "required": False}, name


def test_reports_database_url_points_at_the_replica_only_under_its_profile():
    for name in ("web", "worker-reports", "beat"):
        raw = COMPOSE["services"][name]["environment"]["REPORTS_DATABASE_URL"]
        assert _interpolate(raw, {}) == ""  # unset: every read on DATABASE_URL (settings: empty = unset)
        url = _interpolate(raw, {"COMPOSE_PROFILES": REPLICA_PROFILE})
        assert url.startswith("postgres://") and "@postgres-replica:5432/" in url
        assert url.rsplit("/", 1)[1] == COMPOSE["services"]["postgres"]["environment"]["POSTGRES_DB"]


def test_the_replica_streams_from_the_primary_cloned_by_pg_basebackup_as_a_standby():
    services = COMPOSE["services"]
    replica, primary = services["postgres-replica"], services["postgres"]
    assert replica["image"] == primary["image"]  # a physical replica needs the same major version
    assert replica["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert replica["environment"]["PRIMARY_HOST"] == "postgres"
    script = _mounted_script(replica, "/deploy/")
    assert " ".join(replica["entrypoint"]).endswith("/deploy/start-replica.sh")
    basebackup = " ".join(line.strip().rstrip("\\") for line in script.splitlines() if "pg_basebackup" in line
                          or line.startswith("    -D"))
    assert '-h "$PRIMARY_HOST"' in basebackup and " -R" in basebackup and "-X stream" in basebackup
    assert "hot_standby=on" in script
    assert "pg_is_in_recovery()" in " ".join(replica["healthcheck"]["test"])  # healthy = a standby, not a primary
    # The primary lets it connect: WAL for a replica, a replication role and a pg_hba line (first init only).
    assert "wal_level=replica" in primary["command"] and any(a.startswith("max_wal_senders=") for a in primary["command"])
    init = _mounted_script(primary, "/docker-entrypoint-initdb.d/")
    assert "WITH REPLICATION LOGIN" in init and "host replication" in init
    assert replica["environment"]["REPLICATION_PASSWORD"] == primary["environment"]["REPLICATION_PASSWORD"]
