"""Set-based SQL the ORM does not offer, each with one portable fallback (SQLite, the embedded default):

* `update_returning`: one conditional UPDATE … RETURNING (the deadline scans);
* `bulk_insert_ignore`: one INSERT … SELECT FROM UNNEST … ON CONFLICT DO NOTHING (idempotent outbox rows);
* `try_advisory_xact_lock`: a transaction-level advisory lock (one scan at a time).
"""
import json

from django.db import connection
from django.db.models import JSONField, QuerySet

CHUNK = 500  # ids per UPDATE on the portable path (well under SQLite's bound-variable limit)


class ConcurrentUpdate(Exception):
    """Another writer changed a row between the SELECT and the UPDATE of the portable path: the caller's run is
    rolled back (nothing changed, nothing sent) and its next run does the work."""


def try_advisory_xact_lock(key: int) -> bool:
    """PostgreSQL: `pg_try_advisory_xact_lock(key)`, held until the transaction ends; False when another
    transaction holds it. Elsewhere True: SQLite serialises writers itself."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return bool(cursor.fetchone()[0])


def update_returning(queryset: QuerySet, *, field: str, value, returning) -> list[dict]:
    """`UPDATE … SET <field> = value WHERE <the queryset's filter> RETURNING <returning>`: the rows it changed,
    exactly those, also when another writer runs at the same time (the caller's filter should exclude rows that
    already have `value`, so a row changes in exactly one run).

    PostgreSQL: one statement (the WHERE is the queryset's own, compiled by Django, so a page, a scan and the
    partial indexes agree). Other databases (the portable fallback): the SELECT of the rows, then one UPDATE per
    chunk of their ids, filtered again by the queryset; if a concurrent writer changed one of them in between,
    `ConcurrentUpdate` is raised and the caller's transaction rolls back."""
    model = queryset.model
    if connection.vendor == "postgresql":
        query = queryset.query
        where, params = query.get_compiler(connection=connection).compile(query.where)
        qn = connection.ops.quote_name
        columns = ", ".join(qn(model._meta.get_field(f.removesuffix("_id")).column if f.endswith("_id") else f)
                            for f in returning)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {qn(model._meta.db_table)} SET {qn(model._meta.get_field(field).column)} = %s "
                           f"WHERE {where} RETURNING {columns}", [value, *params])
            return [dict(zip(returning, row)) for row in cursor.fetchall()]
    rows = list(queryset.order_by().values(*returning))
    changed = 0
    for start in range(0, len(rows), CHUNK):
        ids = [r["id"] for r in rows[start:start + CHUNK]]
        changed += queryset.filter(pk__in=ids).update(**{field: value})
    if changed != len(rows):
        raise ConcurrentUpdate(f"{len(rows) - changed} row(s) of {model._meta.label} changed under the update")
    return rows


def bulk_insert_ignore(model, rows: list[dict]) -> None:
    """INSERT the rows (dicts of attname → value, every row the same keys), skipping any that would violate a
    unique constraint (here: the outbox idempotency key, so a replayed notification inserts nothing).

    PostgreSQL: one `INSERT … SELECT … FROM UNNEST(<one array per varying column>) ON CONFLICT DO NOTHING`; every
    other column (defaults, auto_now_add) is computed once from a template instance, so a new field with a
    default still gets it. That is Django's own UNNEST strategy without its per-value preparation in Python,
    which is most of a large scan's time (17 columns × 10,000 rows). Other databases: bulk_create."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], ignore_conflicts=True)
        return
    template = model(**rows[0])
    qn = connection.ops.quote_name
    columns, selects, constants, arrays, unnest = [], [], [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in rows[0]:
            continue  # the sequence gives it
        db_type = f.db_type(connection).split("(")[0]
        columns.append(qn(f.column))
        if f.attname in rows[0]:
            values = [row[f.attname] for row in rows]
            if isinstance(f, JSONField):
                values = [json.dumps(v, cls=f.encoder) for v in values]
            selects.append(f"u.c{len(arrays)}")
            unnest.append(f"%s::{db_type}[]")
            arrays.append(values)
        else:
            selects.append(f"%s::{db_type}")
            constants.append(f.get_db_prep_save(f.pre_save(template, add=True), connection))
    aliases = ", ".join(f"c{i}" for i in range(len(arrays)))
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selects)} "
           f"FROM UNNEST({', '.join(unnest)}) AS u({aliases}) ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *arrays])
