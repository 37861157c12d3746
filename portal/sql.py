"""Set-based SQL the ORM does not offer: one INSERT … SELECT that writes one child row per parent row."""
from django.db import connection


def insert_per_parent(child_model, fk_name: str, parent_ids: list, values: dict):
    """`INSERT INTO child (fk, …) SELECT parent.id, %s, … FROM parent WHERE id IN (…)`: one statement for the
    whole page, whatever its size. Every other concrete field gets `values[name]` or the field's default, so a
    column added to the model later is filled as the ORM would fill it."""
    if not parent_ids:
        return
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
