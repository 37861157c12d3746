"""Set-based SQL the ORM does not offer: one INSERT … SELECT that writes one child row per parent row."""
from django.db import DEFAULT_DB_ALIAS, connections


def insert_per_parent(child_model, fk_name: str, parent_ids: list, values: dict):
    """`INSERT INTO child (fk, …) SELECT parent.id, %s, … FROM parent WHERE id IN (…)`: one statement for the
    whole page, whatever its size. Every other concrete field gets `values[name]` or the field's default, so a
    column added to the model later is filled as the ORM would fill it."""
    if not parent_ids:
        return
    connection = connections[DEFAULT_DB_ALIAS]
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
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-call proxy: this is a hot loop
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
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
