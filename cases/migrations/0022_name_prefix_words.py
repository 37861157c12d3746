"""The word index of the name search with the starts of words as words of their own (issue 12; PostgreSQL only).

What an officer types last is often a whole word ("tran thi") but may be cut ("nguyen van h"): it is the start
of a word of the name. `to_tsquery('thi:*')` answers that by a partial-match scan of the GIN index, which
collects every key beginning with "thi" into a bitmap before intersecting: 38 ms of the 41 ms of "tran thi" for
one province at 1,000,000 dossiers (the same with a whole word: 7 ms). `bhxh_name_words(search_name)` holds each
word of the normalised name and, marked with "~", each of its starts ("~t", "~th", "~thi"), so the cut word is
one exact key too; cases.search.name_q asks `'tran' & '~thi'`. The function is what the index is built on
(IMMUTABLE, PL/pgSQL for a cached plan); `dossier_office_words` is rebuilt on it, the office in front as before.

The statistics `dossier_spaced_name` (0020) go: how common a name is now comes from the statistics of these keys
(cases.selectors._searched), which count "phuong" right (19,984 estimated for 23,343; the LIKE's statistics said
2,622). Without them a walk of the list's order for a common name is planned as one (LIKE "% x%" at its default
selectivity) instead of a parallel scan and sort of every row (239 ms for "tran thi" nationally).
"""
from django.db import migrations

# COST 500: computing the keys of a row is dear; a plan that reads the index is preferred to one that does.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION bhxh_name_words(name text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 500 AS $$
DECLARE
    w text;
    keys text[] := '{}';
BEGIN
    FOREACH w IN ARRAY regexp_split_to_array(name, '[^a-z0-9]+') LOOP
        CONTINUE WHEN w = '';
        keys := keys || w;
        FOR n IN 1..length(w) LOOP
            keys := keys || ('~' || left(w, n));
        END LOOP;
    END LOOP;
    RETURN array_to_tsvector(keys);
END
$$
"""
NEW_INDEX = ("CREATE INDEX dossier_office_words ON cases_dossier "
             "USING gin (office_id, bhxh_name_words(search_name::text))")
NAME_STATS = ("CREATE STATISTICS IF NOT EXISTS dossier_spaced_name "
              "ON ((' '::text || COALESCE(search_name, ''::character varying)::text)) FROM cases_dossier")
OLD_INDEX = ("CREATE INDEX dossier_office_words ON cases_dossier "
             "USING gin (office_id, to_tsvector('simple'::regconfig, search_name))")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute("DROP INDEX IF EXISTS dossier_office_words")
    schema_editor.execute(NEW_INDEX)
    schema_editor.execute("DROP STATISTICS IF EXISTS dossier_spaced_name")
    schema_editor.execute("ANALYZE cases_dossier")  # the statistics of the new expression (the search's estimate)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_office_words")
    schema_editor.execute(OLD_INDEX)
    schema_editor.execute(NAME_STATS)
    schema_editor.execute("DROP FUNCTION IF EXISTS bhxh_name_words(text)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_merge_scan_dash_search")]
    operations = [migrations.RunPython(forwards, backwards)]
