"""What `make run` starts: web, worker and beat, plus the local stand-ins of the national portal (unless
NATIONAL_PORTAL_URL is set) and of the SMS/Zalo gateways (unless SMS_GATEWAY_URL is set).

Whether those are set is read exactly as the settings read it: the environment, then .env (or ENV_FILE)
through bhxh_portal.settings, values validated. The Makefile does not parse .env itself, and honcho is told
not to read it a second way (`-e /dev/null`): the processes get the environment computed here, and their
settings read the same file the same way.

    python -m bhxh_portal.runplan          # exec honcho with the plan
    python -m bhxh_portal.runplan --print  # print the plan as JSON (processes, added variables)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def plan(environ: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """(Procfile entries to start, variables to add to the environment) for the configured settings."""
    from bhxh_portal import settings

    processes = ["web", "worker", "beat"]
    extra: dict[str, str] = {"PORT": environ.get("PORT") or "8000"}  # honcho gives web this port
    # runserver on 127.0.0.1 speaks plain HTTP: no redirect to HTTPS, cookies that HTTP may carry (the settings
    # default them on when DEBUG is off); a value set in the environment or .env wins.
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        if not environ.get(name):
            extra[name] = "false"
    if not environ.get("PUBLIC_BASE_URL"):  # QR codes and links in messages point at this very server
        extra["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{extra['PORT']}"  # the Procfile's address
    if not settings.NATIONAL_PORTAL_URL:
        port = environ.get("SANDBOX_PORT") or "8765"
        extra.update(NATIONAL_PORTAL_URL=f"http://127.0.0.1:{port}", SANDBOX_PORT=port)
        if "PORTAL_SWEEP_EVERY" not in environ:  # the demo loop: a status changed on the sandbox's page shows soon
            extra["PORTAL_SWEEP_EVERY"] = "60"
        processes.append("sandbox")
    if not settings.SMS_GATEWAY_URL:
        port = environ.get("GATEWAY_SANDBOX_PORT") or "8767"
        gateway = f"http://127.0.0.1:{port}"
        extra.update(GATEWAY_SANDBOX_PORT=port, SMS_GATEWAY_URL=gateway, SMS_API_KEY="sandbox",
                     SMS_SECRET_KEY="sandbox", ZALO_ZNS_URL=gateway, ZALO_OAUTH_URL=gateway,
                     ZALO_APP_ID="sandbox", ZALO_SECRET_KEY="sandbox", ZALO_REFRESH_TOKEN="sandbox-refresh-token")
        processes.append("gateways")
    return processes, extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bhxh_portal.runplan", description=__doc__.split("\n")[0])
    parser.add_argument("--print", action="store_true", help="print the plan as JSON instead of running it")
    args = parser.parse_args(argv)
    # Importing the settings loads .env into os.environ (variables already set win) and validates it.
    processes, extra = plan(os.environ)
    if args.print:
        print(json.dumps({"processes": processes, "environment": extra}, sort_keys=True))
        return 0
    env = {**os.environ, **extra}
    honcho = str(Path(sys.executable).with_name("honcho"))
    os.chdir(BASE_DIR)
    os.execve(honcho, [honcho, "start", "-e", os.devnull, "-f", "Procfile", *processes], env)
    return 0  # pragma: no cover - execve does not return


if __name__ == "__main__":
    sys.exit(main())
