"""Set-based writes the ORM does not offer, with a portable fallback for SQLite (the test and dev database).

- `update_from_values(model, key, rows, match=…)`: PostgreSQL `UPDATE t SET … FROM (VALUES …) AS v WHERE
  t.key = v.key` — one statement per chunk, whatever the number of rows, each row with its own values.
- `bulk_insert_ignore(model, rows)`: PostgreSQL `INSERT … SELECT … FROM UNNEST(…) ON CONFLICT DO NOTHING`.

(`cases.overdue.insert_ignoring_duplicates` is the same INSERT as `bulk_insert_ignore`; it stays there until
that module is split, then it should call this one.)
"""
from __future__ import annotations

import json

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import JSONField

#: Rows per statement; PostgreSQL accepts 65,535 parameters in one statement.
PG_MAX_PARAMS = 65_000


def _connection():
    return connections[DEFAULT_DB_ALIAS]


def _db_type(field, connection) -> str:
    if field.is_relation:
        field = field.target_field
    return field.db_type(connection).split("(")[0]


def update_from_values(model, key: str, rows: list[dict], *, match: dict[str, str] | None = None) -> list:
    """Update one row per dict of `rows` ({key: k, field: new value, …}; every dict the same keys) and return
    the keys of the rows updated.

    `match` maps row keys to fields whose value the row must still have for it to be updated (a guard against
    a concurrent change: `match={"old_due": "legal_due_at"}` skips a row someone else moved meanwhile); those
    keys are compared, not written.

    PostgreSQL: one `UPDATE … FROM (VALUES …) … RETURNING key` per chunk of 65,000 parameters. Other databases:
    `bulk_update` (one CASE statement per batch) when `key` is the primary key, else one UPDATE per row; the
    guard is checked on the rows read first (SQLite serialises writers, so nothing changes in between)."""
    if not rows:
        return []
    match = match or {}
    connection = _connection()
    opts = model._meta
    key_field = opts.get_field(key)
    names = [name for name in rows[0] if name != key]
    fields = [opts.get_field(match.get(name, name)) for name in names]
    if connection.vendor != "postgresql":
        return _update_fallback(model, key, key_field, rows, [n for n in names if n not in match], match)

    qn = connection.ops.quote_name
    all_fields, keys = [key_field, *fields], [key, *names]
    casts = "(" + ", ".join(f"%s::{_db_type(f, connection)}" for f in all_fields) + ")"
    aliases = ", ".join(["k", *(f"c{i}" for i in range(len(fields)))])
    pairs = list(enumerate(zip(names, fields)))
    assignments = ", ".join(f"{qn(f.column)} = v.c{i}" for i, (n, f) in pairs if n not in match)
    guards = "".join(f" AND t.{qn(f.column)} IS NOT DISTINCT FROM v.c{i}" for i, (n, f) in pairs if n in match)
    per_statement = max(1, PG_MAX_PARAMS // len(all_fields))
    updated = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            params = [f.get_db_prep_save(row[name], connection) for row in chunk for name, f in zip(keys, all_fields)]
            cursor.execute(
                f"UPDATE {qn(opts.db_table)} AS t SET {assignments} FROM (VALUES {', '.join([casts] * len(chunk))}) "
                f"AS v({aliases}) WHERE t.{qn(key_field.column)} = v.k{guards} RETURNING t.{qn(key_field.column)}",
                params)
            updated.extend(r[0] for r in cursor.fetchall())
    return updated


def _update_fallback(model, key, key_field, rows, sets, match) -> list:
    if match:
        current = {r[key]: r for r in model.objects.filter(**{f"{key}__in": [row[key] for row in rows]})
                   .values(key, *match.values())}
        rows = [row for row in rows if row[key] in current
                and all(current[row[key]][field] == row[name] for name, field in match.items())]
    if not rows:
        return []
    if key_field.primary_key:
        objs = [model(**{key: row[key], **{name: row[name] for name in sets}}) for row in rows]
        model.objects.bulk_update(objs, sets, batch_size=500)
    else:
        for row in rows:
            model.objects.filter(**{key: row[key]}).update(**{name: row[name] for name in sets})
    return [row[key] for row in rows]


def bulk_insert_ignore(model, rows: list[dict]) -> None:
    """INSERT the rows (dicts of attname → value, every row the same keys), skipping any that would violate a
    unique constraint (an outbox idempotency key: a replayed notification inserts nothing).

    PostgreSQL: one `INSERT … SELECT … FROM UNNEST(<one array per varying column>) ON CONFLICT DO NOTHING` per
    call; every other column (defaults, auto_now_add) is computed once from a template instance, so a new field
    with a default still gets it. Other databases: bulk_create(ignore_conflicts=True)."""
    if not rows:
        return
    connection = _connection()
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], ignore_conflicts=True, batch_size=500)
        return
    template = model(**rows[0])
    qn = connection.ops.quote_name
    columns, selects, constants, arrays, unnest = [], [], [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in rows[0]:
            continue  # the sequence gives it
        db_type = _db_type(f, connection)
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
