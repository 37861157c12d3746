"""The search at national scale (issue 12, bench/bench_search.py; PostgreSQL only, other databases: nothing):

- `dossier_code_end`: a B-tree on reverse(upper(code)) (text_pattern_ops), so the end of a code an officer types
  ("261201-0006", "0006") is a prefix range of it (cases.search.code_end_q) instead of a trigram scan.
- `dossier_spaced_name`: statistics on " " || search_name, the expression cases.search.name_q compares, so that the
  planner knows how common a name is ("nguyen": one dossier in three) and cases.selectors picks the plan:
  walk the list's ordering index for a common name, the word index (0013) for a rare one.
- `dossier_office_words` (btree_gin): the word index of 0013 with the office in front, so an officer's search for
  a name reads only the postings of that name in the offices they see (a nested loop over those few offices);
  a search over every office (the Legal Department) reads the words alone, as from the index it replaces,
  `dossier_search_words`.
- The trigram indexes nothing reads any more are dropped: dossier_code_trgm (0011; the code's end has its own
  index) and dossier_name_trgm (0003, on UPPER(applicant_name); the name is searched through search_name).
"""
from django.db import migrations

CODE_END = ("CREATE INDEX IF NOT EXISTS dossier_code_end ON cases_dossier "
            "(reverse(upper(code::text)) text_pattern_ops)")
# Exactly the expression Django writes for Concat(Value(" "), F("search_name")) on PostgreSQL.
NAME_STATS = ("CREATE STATISTICS IF NOT EXISTS dossier_spaced_name "
              "ON ((' '::text || COALESCE(search_name, ''::character varying)::text)) FROM cases_dossier")
# The expression of cases.search.WordsMatch (migration 0013's index), behind the office.
OFFICE_WORDS = ("CREATE INDEX IF NOT EXISTS dossier_office_words ON cases_dossier "
                "USING gin (office_id, to_tsvector('simple'::regconfig, search_name))")
DROPPED = {
    "dossier_code_trgm": "UPPER(code) gin_trgm_ops",
    "dossier_name_trgm": "UPPER(applicant_name) gin_trgm_ops",
    "dossier_search_words": "to_tsvector('simple'::regconfig, search_name)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CODE_END)
    schema_editor.execute(NAME_STATS)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")  # a trusted extension: no superuser needed
    schema_editor.execute(OFFICE_WORDS)
    for name in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("ANALYZE cases_dossier")  # the new statistics exist from now, not from autovacuum


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in DROPPED.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_dossier USING gin ({expression})")
    schema_editor.execute("DROP INDEX IF EXISTS dossier_office_words")
    schema_editor.execute("DROP STATISTICS IF EXISTS dossier_spaced_name")
    schema_editor.execute("DROP INDEX IF EXISTS dossier_code_end")


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_merge_20261204_0601")]
    operations = [migrations.RunPython(forwards, backwards)]
