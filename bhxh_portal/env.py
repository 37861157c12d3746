"""Reading the configuration: the environment plus one `.env` file of KEY=value lines, and the casts that
validate each value (a bad value stops start-up with a message naming the variable). settings.py uses them."""
import os
import re
from datetime import time as _time
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_ENV_LINE = re.compile(r"\A(?:export )?[A-Za-z_0-9]+=")


def read_env_file(path: Path) -> None:
    """Load `path` into os.environ (variables already set win), as django-environ reads it: values are taken
    literally (`#` and `$` are kept). A line that is neither blank, a comment nor KEY=value stops start-up:
    django-environ would skip it with a warning and the setting would silently fall back to its default."""
    if not path.exists():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#") and not _ENV_LINE.match(line):
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=value (no spaces around '='), "
                                       f"got {line!r}")
    environ.Env.read_env(path, overwrite=False)


env = environ.Env()

_COMMENT = re.compile(r"\s#")


def setting(name, cast, default):
    """Read one variable; any parse failure becomes ImproperlyConfigured naming the variable.

    The value is the literal text of the variable (no `$OTHER` proxying). A value with ` #` in it is a
    comment that was copied along with an uncommented line of .env.example, and a value with leading or
    trailing blanks is a misread waiting to happen: both are refused here, whatever the type."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        if _COMMENT.search(raw):
            raise ValueError("it contains ' #': comments go on their own line in .env, not after a value")
        if raw != raw.strip():
            raise ValueError("it starts or ends with blanks")
        return cast(raw)
    except (ValueError, TypeError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Invalid value for environment variable {name}={raw!r}: {exc}") from exc


def _token(raw):
    """A value with no blanks at all (URLs, paths, numbers, names)."""
    if re.search(r"\s", raw):
        raise ValueError("it contains blanks")
    return raw


def _bool(raw):
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true/false")


def _positive_int(raw):
    value = int(_token(raw))
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _int(raw):
    return int(_token(raw))


def _non_negative_int(raw):
    value = int(_token(raw))
    if value < 0:
        raise ValueError("must be zero or a positive integer")
    return value


def _float(raw):
    return float(_token(raw))


def _parsed_url(raw, schemes, host_optional=()):
    """urlsplit(raw) after checking: no blanks, a scheme from `schemes`, a host (unless the scheme is in
    `host_optional`), and a port that is a number."""
    _token(raw)
    parts = urlsplit(raw)
    if "://" not in raw or parts.scheme not in schemes:
        raise ValueError(f"expected a URL starting with one of {', '.join(s + '://' for s in schemes)}")
    if parts.scheme not in host_optional and not parts.hostname:
        raise ValueError("the URL has no host")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise ValueError(f"the URL's port is not a number ({exc})") from None
    return parts


def _url(schemes, host_optional=()):
    def parse(raw):
        _parsed_url(raw, schemes, host_optional)
        return raw.rstrip("/")

    return parse


def _db(raw):
    if "://" not in raw:
        raise ValueError("expected a database URL such as postgres://user:pass@host:5432/name")
    scheme = raw.split("://", 1)[0]
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ValueError(f"unsupported database scheme {scheme!r} (use postgres:// or sqlite://)")
    parts = _parsed_url(raw, {"postgres", "postgresql", "pgsql", "sqlite"}, host_optional={"sqlite"})
    if scheme != "sqlite" and not parts.path.strip("/"):
        raise ValueError("the URL names no database (…/name at the end)")
    return environ.Env.db_url_config(raw)


_EMAIL_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"}


def _email_url(raw):
    _parsed_url(raw, _EMAIL_SCHEMES, host_optional=_EMAIL_SCHEMES - {"smtp", "smtps", "smtp+tls", "smtp+ssl"})
    return environ.Env.email_url_config(raw)


def _path(raw):
    """A directory path (relative paths are relative to the project folder, not to the current directory)."""
    path = Path(_token(raw))
    path = path if path.is_absolute() else BASE_DIR / path
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} exists and is not a folder")
    return str(path)


def _clock(raw):
    """'HH:MM' → the same text, checked."""
    return _time.fromisoformat(_token(raw)).strftime("%H:%M")


def _log_level(raw):
    value = _token(raw).upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def _list(raw):
    return [part.strip() for part in raw.split(",") if part.strip()]


def _hours(raw):
    """'07:30-11:30,13:00-17:00' → list of (start, end) 'HH:MM' pairs."""
    spans = []
    for part in _list(raw):
        start, end = part.split("-")
        s, e = _time.fromisoformat(start.strip()), _time.fromisoformat(end.strip())
        if s >= e:
            raise ValueError(f"span {part} ends before it starts")
        spans.append((s.strftime("%H:%M"), e.strftime("%H:%M")))
    if not spans:
        raise ValueError("at least one span is required")
    return spans


def _years(raw):
    """'2015-2040' → (2015, 2040): the years the working-day calendar covers (workcal; 2000–2100 at most)."""
    first, sep, last = raw.partition("-")
    if not sep:
        raise ValueError("expected FIRST-LAST, e.g. 2015-2040")
    first, last = int(first.strip()), int(last.strip())
    if not 2000 <= first <= last <= 2100:
        raise ValueError("expected 2000 <= FIRST <= LAST <= 2100")
    return first, last


def _proxy_ssl_header(raw):
    """'X-Forwarded-Proto:https' → ('HTTP_X_FORWARDED_PROTO', 'https'), Django's SECURE_PROXY_SSL_HEADER;
    'off' (or none/false/0) → None: no header is trusted."""
    if _token(raw).lower() in {"off", "none", "false", "0"}:
        return None
    header, sep, value = raw.partition(":")
    if not sep or not value or not re.fullmatch(r"[A-Za-z0-9-]+", header):
        raise ValueError("expected HEADER:value, e.g. X-Forwarded-Proto:https, or off")
    return "HTTP_" + header.upper().replace("-", "_"), value


# Keys that were ever written down (the old built-in default, the old compose default, .env.example's
# placeholder): whoever read the code knows them. Any key containing one of these words is refused too.
_PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "insecure", "placeholder", "secret-key")
SECRET_KEY_ADVICE = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def check_secret_key(key: str, *, debug: bool) -> str:
    """With DEBUG off, a placeholder or weak SECRET_KEY stops start-up (naming the variable, never printing it):
    at least 50 characters, at least 5 distinct ones, none of the placeholder words (Django's security.W009, and
    more). With DEBUG on any key will do."""
    if debug:
        return key
    lowered = key.lower()
    problem = (
        "it is a placeholder" if any(word in lowered for word in _PLACEHOLDER_WORDS)
        else "it is shorter than 50 characters" if len(key) < 50
        else "it has fewer than 5 distinct characters" if len(set(key)) < 5
        else ""
    )
    if problem:
        raise ImproperlyConfigured(
            f"Invalid value for environment variable SECRET_KEY: {problem}; with DEBUG off the portal needs a "
            f"random secret of its own. Generate one with {SECRET_KEY_ADVICE} and set SECRET_KEY in .env.")
    return key


def local_secret_key(path: Path) -> str:
    """The key of this installation when SECRET_KEY is unset (`make run` on a fresh machine): generated once into
    `path` (mode 600) and read from it afterwards. A deployment on several machines sets SECRET_KEY instead
    (docker-compose.yml requires it)."""
    import secrets
    import tempfile

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, path)  # atomic: when two processes start at once, the first key wins
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable key: delete it (a new one is generated) or set SECRET_KEY")
    return key
