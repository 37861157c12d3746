"""Shared set-up of the benchmarks."""
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
