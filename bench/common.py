"""Shared set-up of the benchmarks."""
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import environ


def create_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` if it does not exist yet."""
    import psycopg2

    cfg = environ.Env.db_url_config(url)
    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                            host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


def setup_postgres_django(name: str) -> None:
    """Django on the PostgreSQL database of DATABASE_URL (created when missing); exits when it is not PostgreSQL."""
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit(f"{name} needs DATABASE_URL pointing at a PostgreSQL database (a throw-away one).")
    create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()


def load_reference_data():
    """Migrate, load the offices and the catalogue; return the Hà Nội office."""
    from django.core.management import call_command

    from cases.catalogue import load_procedures
    from core.demo import load_offices
    from core.models import Office

    call_command("migrate", verbosity=0)
    load_offices()
    load_procedures()
    return Office.objects.current().get(code="01")


@contextmanager
def bulk_load(cursor):
    """A bulk load of dossiers: the row triggers (the tally's, reports.tally; the scan's change signal) off while
    `cursor` writes, the tally rebuilt from the dossiers in one statement afterwards: what `manage.py
    retally_dossiers` does after a migration of old data (row by row, the triggers cost ~1.2 ms a dossier: 20
    minutes a million); and the next deadline scan reads every dossier (it was told of none of these)."""
    from cases.services import scan_sql
    from reports import tally

    cursor.execute("ALTER TABLE cases_dossier DISABLE TRIGGER USER")
    try:
        yield cursor
    finally:
        cursor.execute("ALTER TABLE cases_dossier ENABLE TRIGGER USER")
    tally.rebuild(cursor.db)
    scan_sql.forget(cursor.db.alias)
