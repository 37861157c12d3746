"""Set-based SQL the ORM does not offer, each with one portable fallback for SQLite (the embedded default):

- `update_returning(queryset, field=, value=, returning=)`: one conditional `UPDATE … WHERE … RETURNING` (the
  deadline scans mark exactly the rows that cross a threshold);
- `update_from_values(model, key, rows, match=…)`: PostgreSQL `UPDATE t SET … FROM (VALUES …) AS v WHERE
  t.key = v.key` — one statement per chunk, whatever the number of rows, each row with its own values;
- `bulk_insert_ignore(model, rows)`: PostgreSQL `INSERT … SELECT … FROM UNNEST(…) ON CONFLICT DO NOTHING`;
- `insert_rows(model, rows, now)`: `INSERT … VALUES (…), (…) RETURNING id` for a page of rows (the pull);
- `insert_per_parent(child, fk, parent_ids, values)`: one `INSERT … SELECT` writing a child row per parent;
- `relax_commit_durability()`: this transaction's commit does not wait for the WAL flush (a pulled page);
- `try_advisory_xact_lock(key)`: a transaction-level advisory lock (one scan at a time);
- `estimated_count(queryset)`: the planner's row estimate of a queryset (PostgreSQL; None elsewhere).
"""
from __future__ import annotations

import json

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import JSONField, QuerySet

#: Rows per statement; PostgreSQL accepts 65,535 parameters in one statement.
PG_MAX_PARAMS = 65_000
CHUNK = 500  # ids per UPDATE on the portable path of update_returning (under SQLite's bound-variable limit)


class ConcurrentUpdate(Exception):
    """Another writer changed a row between the SELECT and the UPDATE of the portable path: the caller's run is
    rolled back (nothing changed, nothing sent) and its next run does the work."""


def _connection():
    return connections[DEFAULT_DB_ALIAS]


def _db_type(field, connection) -> str:
    if field.is_relation:
        field = field.target_field
    return field.db_type(connection).split("(")[0]


def try_advisory_xact_lock(key: int) -> bool:
    """PostgreSQL: `pg_try_advisory_xact_lock(key)`, held until the transaction ends; False when another
    transaction holds it. Elsewhere True: SQLite serialises writers itself."""
    connection = _connection()
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
    connection = _connection()
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


def insert_per_parent(child_model, fk_name: str, parent_ids: list, values: dict):
    """`INSERT INTO child (fk, …) SELECT parent.id, %s, … FROM parent WHERE id IN (…)`: one statement for the
    whole page, whatever its size. Every other concrete field gets `values[name]` or the field's default, so a
    column added to the model later is filled as the ORM would fill it."""
    if not parent_ids:
        return
    connection = _connection()
    qn = connection.ops.quote_name
    fk = child_model._meta.get_field(fk_name)
    parent = fk.related_model._meta
    columns, selects, params = [qn(fk.column)], [qn(parent.pk.column)], []
    for field in child_model._meta.concrete_fields:
        if field.primary_key or field is fk:
            continue
        value = values[field.name] if field.name in values else field.get_default()
        columns.append(qn(field.column))
        selects.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    if connection.vendor == "postgresql":
        where, params = f"{qn(parent.pk.column)} = ANY(%s)", params + [list(parent_ids)]
    else:
        where, params = f"{qn(parent.pk.column)} IN ({', '.join(['%s'] * len(parent_ids))})", params + list(parent_ids)
    sql = (f"INSERT INTO {qn(child_model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(selects)} FROM {qn(parent.db_table)} WHERE {where}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _auto_now(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def insert_rows(model, rows: list[dict], now) -> list[int]:
    """`INSERT INTO t (…) VALUES (…), (…) RETURNING id` for a page of rows given as {attname: value}; the other
    columns get the field's default (auto_now fields: `now`), prepared once per page, not once per row. Returns
    the new primary keys in the order of `rows`. Split only where the database caps the parameters (SQLite)."""
    if not rows:
        return []
    connection = _connection()  # the wrapper itself, not the per-call proxy: this is a hot loop
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    shared = {f.attname: f.get_db_prep_save(now if _auto_now(f) else f.get_default(), connection)
              for f in fields if _auto_now(f) or not callable(f.default)}

    def value(field, row):
        if field.attname in row:
            return field.get_db_prep_save(row[field.attname], connection)
        if field.attname in shared:
            return shared[field.attname]
        return field.get_db_prep_save(field.get_default(), connection)

    limit = connection.features.max_query_params or len(rows) * len(fields)
    per_statement = max(1, limit // len(fields))
    head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            params = [value(f, row) for row in chunk for f in fields]
            cursor.execute(head + ", ".join([placeholder] * len(chunk)) + f" RETURNING {qn(model._meta.pk.column)}",
                           params)
            ids.extend(r[0] for r in cursor.fetchall())
    return ids


def relax_commit_durability():
    """PostgreSQL: this transaction's commit does not wait for the WAL flush (SET LOCAL synchronous_commit).
    Safe for a pulled page: its rows and its cursor commit together, so a database crash can only lose both,
    and the next pull fetches the page again."""
    connection = _connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def estimated_count(queryset: QuerySet) -> int | None:
    """The planner's estimate of the rows `queryset` returns (`EXPLAIN (FORMAT JSON)`, no rows read), on the
    queryset's own database; None where the database has no such plan (SQLite: count exactly there)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
