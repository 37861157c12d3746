"""docker-compose.yml, the Procfile and .env.example refer only to things that exist (there is no Docker
engine here, so the files are checked by reading them)."""
import importlib
import re
import shlex
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = (ROOT / "bhxh_portal" / "settings.py").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


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
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert set(COMPOSE["volumes"]) == {"pgdata", "redisdata", "appdata"}
    assert "migrate" in " ".join(_command_words(services["web"]["command"]))


def test_compose_commands_refer_to_things_that_exist():
    for name, service in COMPOSE["services"].items():
        if "command" in service and name not in ("postgres", "redis"):
            _check_words(_command_words(service["command"]))


def test_compose_environment_is_read_by_the_settings():
    known = settings_variables()
    for name, service in COMPOSE["services"].items():
        if name in ("postgres", "redis"):
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
