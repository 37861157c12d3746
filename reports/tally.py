"""The dossier tally (issue 14): per office, procedure, kind and day, what form 06, oversight and the dashboard
count, kept by database triggers on `cases_dossier` in the same transaction as every write (PostgreSQL and
SQLite alike, so the tests run the same triggers as production).

Each change of a dossier row writes *delta rows*: the row's contribution before the change (−1) and after it
(+1), netted, twice — by day (`month` false) and by month (`month` true, dated the 1st) so a whole month is read
from a few thousand rows whatever the number of dossiers. `compact()` (the Celery task
`reports.tasks.compact_dossier_tally`, every 10 minutes) folds the deltas into one row per key; `rebuild()`
(`manage.py retally_dossiers`) writes it afresh from the dossiers, `drift()` (`--check`) compares.

Kinds (every one needs the dossier received, except `refused_intake`; days are local days, TIME_ZONE):
* `recv_online`, `recv_other`: received that day, online or not;
* `open`: +1 on the day of receipt, −1 on the day it stopped being in progress (the first of resolution and
  closing; never before its receipt), so the sum over the days before D is the number in progress at D's start;
* `resolved`, `resolved_early`, `resolved_late`: resolved that day (cases.deadlines' early and late);
* `refused_intake`: refused at intake (never received), closed that day;
* `over_trips`: received that day and over the visit limit (cases.visits.over_visit_limit_q);
* `came_back`: received that day, the applicant back within 30 days of a closed dossier of theirs for the same
  procedure (cases.visits.came_back_q); a change of one dossier also corrects the dossiers it made "come back";
* `st_<status>`: a stock per status, dated STOCK_DAY (the dashboard's status mix).

The columns that depend on the history at a moment (in progress and overdue then, cases.ledger) or on two
periods at once (withdrawn dossiers by where they were counted) are read from the dossiers through partial
indexes (reports.form06_tally).
"""
from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connection as default_connection

from cases.visits import DEFAULT_MAX_RETURNS, VISIT_WINDOW

STOCK_DAY = date(2000, 1, 1)
TABLE = "reports_dossiertally"
# The dossier columns the tally reads: an UPDATE that sets none of them (the overdue scan) fires no trigger.
WATCHED = ["office_id", "procedure_id", "rule_version_id", "status", "channel", "received_at", "resolved_at",
           "closed_at", "legal_due_at", "trip_count", "applicant_id_number"]
STATUSES = ["submitted", "received", "processing", "awaiting_supplement", "resolved", "returned", "refused",
            "withdrawn"]


class Dialect:
    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def day(self, x: str) -> str:
        if self.pg:
            return f"(({x}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
        from zoneinfo import ZoneInfo
        from datetime import datetime

        hours = int(datetime(2026, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).utcoffset().total_seconds() // 3600)
        return f"date({x}, '{hours:+d} hours')"

    def month(self, d: str) -> str:
        return f"date_trunc('month', {d})::date" if self.pg else f"date({d}, 'start of month')"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"max({a}, {b})"

    def window_start(self, x: str) -> str:
        days = VISIT_WINDOW.days
        if self.pg:
            return f"(({x}) - interval '{days} days')"
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC): whole days back, the same fraction, the same form
        return f"(strftime('%Y-%m-%d %H:%M:%S', {x}, '-{days} days') || substr({x}, 20))"

    def true(self) -> str:
        return "true" if self.pg else "1"

    def false(self) -> str:
        return "false" if self.pg else "0"


def contributions(d: Dialect, r: str, sign: str, source: str = "") -> str:
    """SELECT office_id, procedure_id, kind, day, n: the tally rows of one dossier row image `r` (a trigger's
    OLD/NEW, or a table alias), each counting `sign`."""
    recv, resolved, closed, due = f"{r}.received_at", f"{r}.resolved_at", f"{r}.closed_at", f"{r}.legal_due_at"
    exit_ = (f"CASE WHEN {resolved} IS NULL THEN {closed} WHEN {closed} IS NULL THEN {resolved} "
             f"WHEN {resolved} < {closed} THEN {resolved} ELSE {closed} END")
    late = f"{resolved} > {due}"
    early = f"{d.day(resolved)} < {d.day(due)} AND NOT ({late})"
    limit = (f"COALESCE((SELECT v.max_returns FROM cases_procedureversion v WHERE v.id = {r}.rule_version_id), "
             f"{DEFAULT_MAX_RETURNS}) + 1")
    came_back = (f"EXISTS (SELECT 1 FROM cases_dossier e WHERE e.applicant_id_number = {r}.applicant_id_number "
                 f"AND e.procedure_id = {r}.procedure_id AND e.closed_at >= {d.window_start(recv)} "
                 f"AND e.closed_at < {recv} AND e.id <> {r}.id)")
    got = f"{recv} IS NOT NULL"
    rows = [
        ("recv_online", d.day(recv), f"{got} AND {r}.channel = 'online'"),
        ("recv_other", d.day(recv), f"{got} AND {r}.channel <> 'online'"),
        ("open", d.day(recv), got),
        ("open", d.greatest(d.day(recv), d.day(exit_)), f"{got} AND ({exit_}) IS NOT NULL", "-"),
        ("resolved", d.day(resolved), f"{got} AND {resolved} IS NOT NULL"),
        ("resolved_late", d.day(resolved), f"{got} AND {resolved} IS NOT NULL AND {late}"),
        ("resolved_early", d.day(resolved), f"{got} AND {resolved} IS NOT NULL AND {early}"),
        ("refused_intake", d.day(closed), f"{recv} IS NULL AND {r}.status = 'refused' AND {closed} IS NOT NULL"),
        ("over_trips", d.day(recv), f"{got} AND {r}.trip_count > {limit}"),
        ("came_back", d.day(recv), f"{got} AND {came_back}"),
        ("st_' || " + f"{r}.status || '", f"'{STOCK_DAY.isoformat()}'", d.true()),
    ]
    out = []
    for kind, day, where, *neg in rows:
        n = f"-({sign})" if neg else f"({sign})"
        day_sql = f"CAST({day} AS date)" if d.pg else day
        out.append(f"SELECT {r}.office_id AS office_id, {r}.procedure_id AS procedure_id, '{kind}' AS kind, "
                   f"{day_sql} AS day, {n} AS n {source} WHERE {where}")
    return "\nUNION ALL ".join(out)


def neighbours(d: Dialect, old: str | None, new: str | None) -> str:
    """The came_back corrections of the other dossiers of the same applicant and procedure when the row changes
    from `old` to `new` (either None for an insert or a delete): whether each comes back, with the old row and
    with the new one, the rest of the table as it stands."""
    me = new or old

    def matches(x):
        if x is None:
            return d.false()
        return (f"({x}.applicant_id_number = o.applicant_id_number AND {x}.procedure_id = o.procedure_id "
                f"AND {x}.closed_at >= {d.window_start('o.received_at')} AND {x}.closed_at < o.received_at)")

    others = (f"EXISTS (SELECT 1 FROM cases_dossier e WHERE e.applicant_id_number = o.applicant_id_number "
              f"AND e.procedure_id = o.procedure_id AND e.closed_at >= {d.window_start('o.received_at')} "
              f"AND e.closed_at < o.received_at AND e.id <> o.id AND e.id <> {me}.id)")
    keys = " OR ".join(f"(o.applicant_id_number = {x}.applicant_id_number AND o.procedure_id = {x}.procedure_id)"
                       for x in (old, new) if x is not None)
    after = f"CASE WHEN {others} OR {matches(new)} THEN 1 ELSE 0 END"
    before = f"CASE WHEN {others} OR {matches(old)} THEN 1 ELSE 0 END"
    day = f"CAST({d.day('o.received_at')} AS date)" if d.pg else d.day("o.received_at")
    # Only a dossier that the old or the new row makes come back can change (else after = before): none unless one
    # of them is closed — an intake, or any change of an open dossier, reads no other dossier of the applicant
    # (a condition on the trigger's row alone, which PostgreSQL checks once, before any scan).
    closed = " OR ".join(f"{x}.closed_at IS NOT NULL" for x in (old, new) if x is not None)
    return (f"SELECT o.office_id, o.procedure_id, 'came_back', {day}, ({after}) - ({before}) FROM cases_dossier o "
            f"WHERE ({closed}) AND o.received_at IS NOT NULL AND o.id <> {me}.id AND ({keys}) "
            f"AND ({matches(old)} OR {matches(new)})")


def _select(d: Dialect, deltas: str) -> str:
    """SELECT office_id, procedure_id, kind, day, month, n: the netted deltas, by day and by month (the status
    stocks by day only)."""
    day = f"CASE WHEN g.m THEN {d.month('c.day')} ELSE c.day END"
    return (f"SELECT c.office_id, c.procedure_id, c.kind, {day}, g.m, SUM(c.n) "
            f"FROM ({deltas}) AS c CROSS JOIN (SELECT {d.false()} AS m UNION ALL SELECT {d.true()}) AS g "
            f"WHERE NOT (g.m AND substr(c.kind, 1, 3) = 'st_') "
            f"GROUP BY c.office_id, c.procedure_id, c.kind, {day}, g.m HAVING SUM(c.n) <> 0")


def _write(d: Dialect, deltas: str) -> str:
    return f"INSERT INTO {TABLE} (office_id, procedure_id, kind, day, month, n) {_select(d, deltas)}"


def _row_deltas(d: Dialect, old: str | None, new: str | None) -> str:
    parts = []
    if old:
        parts.append(contributions(d, old, "-1"))
    if new:
        parts.append(contributions(d, new, "1"))
    parts.append(neighbours(d, old, new))
    return "\nUNION ALL ".join(parts)


def _changed(old: str, new: str, pg: bool) -> str:
    op = "IS DISTINCT FROM" if pg else "IS NOT"
    return " OR ".join(f"{old}.{c} {op} {new}.{c}" for c in WATCHED)


def install_sql(vendor: str) -> list[str]:
    """The statements that (re)create the triggers."""
    d = Dialect(vendor)
    cols = ", ".join(WATCHED)
    if d.pg:
        # BEFORE ROW: each row's trigger sees the rows the same statement changed before it, as SQLite's do, so
        # the came_back corrections of a multi-row UPDATE add up.
        body = {
            "INSERT": _write(d, _row_deltas(d, None, "NEW")),
            "UPDATE": _write(d, _row_deltas(d, "OLD", "NEW")),
            "DELETE": _write(d, _row_deltas(d, "OLD", None)),
        }
        out = ["""CREATE OR REPLACE FUNCTION reports_tally_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    %s;
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    %s;
    RETURN NEW;
  ELSE
    %s;
    RETURN OLD;
  END IF;
END $$""" % (body["INSERT"], body["UPDATE"], body["DELETE"])]
        out += ["DROP TRIGGER IF EXISTS reports_tally_ins ON cases_dossier",
                "DROP TRIGGER IF EXISTS reports_tally_upd ON cases_dossier",
                "DROP TRIGGER IF EXISTS reports_tally_del ON cases_dossier",
                "CREATE TRIGGER reports_tally_ins BEFORE INSERT ON cases_dossier FOR EACH ROW "
                "EXECUTE FUNCTION reports_tally_dossier()",
                f"CREATE TRIGGER reports_tally_upd BEFORE UPDATE OF {cols} ON cases_dossier FOR EACH ROW "
                f"WHEN ({_changed('OLD', 'NEW', True)}) EXECUTE FUNCTION reports_tally_dossier()",
                "CREATE TRIGGER reports_tally_del BEFORE DELETE ON cases_dossier FOR EACH ROW "
                "EXECUTE FUNCTION reports_tally_dossier()"]
        return out
    return ["DROP TRIGGER IF EXISTS reports_tally_ins", "DROP TRIGGER IF EXISTS reports_tally_upd",
            "DROP TRIGGER IF EXISTS reports_tally_del",
            f"CREATE TRIGGER reports_tally_ins AFTER INSERT ON cases_dossier FOR EACH ROW BEGIN "
            f"{_write(d, _row_deltas(d, None, 'NEW'))}; END",
            f"CREATE TRIGGER reports_tally_upd AFTER UPDATE OF {cols} ON cases_dossier FOR EACH ROW "
            f"WHEN {_changed('OLD', 'NEW', False)} BEGIN {_write(d, _row_deltas(d, 'OLD', 'NEW'))}; END",
            f"CREATE TRIGGER reports_tally_del AFTER DELETE ON cases_dossier FOR EACH ROW BEGIN "
            f"{_write(d, _row_deltas(d, 'OLD', None))}; END"]


def install_triggers(connection, uninstall: bool = False) -> None:
    """(Re)create the triggers on `connection` (the migrations), or drop them."""
    statements = (uninstall_sql if uninstall else install_sql)(connection.vendor)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["DROP TRIGGER IF EXISTS reports_tally_ins ON cases_dossier",
                "DROP TRIGGER IF EXISTS reports_tally_upd ON cases_dossier",
                "DROP TRIGGER IF EXISTS reports_tally_del ON cases_dossier",
                "DROP FUNCTION IF EXISTS reports_tally_dossier()"]
    return ["DROP TRIGGER IF EXISTS reports_tally_ins", "DROP TRIGGER IF EXISTS reports_tally_upd",
            "DROP TRIGGER IF EXISTS reports_tally_del"]


def _fresh_select(d: Dialect) -> str:
    """The tally as the dossiers stand (set-based)."""
    return _select(d, contributions(d, "x", "1", source="FROM cases_dossier x"))


def rebuild(connection=None) -> None:
    """The tally written afresh from the dossiers (after a bulk load with the triggers off, or to repair drift)."""
    connection = connection or default_connection
    d = Dialect(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} (office_id, procedure_id, kind, day, month, n) {_fresh_select(d)}")


def _key(row) -> tuple:
    return row[0], row[1], row[2], str(row[3]), bool(row[4])


def drift(connection=None) -> list[tuple]:
    """The keys where the tally differs from the dossiers: (office_id, procedure_id, kind, day, month, tally,
    dossiers). Empty when it holds."""
    connection = connection or default_connection
    d = Dialect(connection.vendor)
    stored = (f"SELECT office_id, procedure_id, kind, day, month, SUM(n) AS n FROM {TABLE} "
              f"GROUP BY office_id, procedure_id, kind, day, month")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT office_id, procedure_id, kind, day, month, n FROM ({stored}) AS s")
        have = {_key(r): r[5] for r in cursor.fetchall() if r[5]}
        cursor.execute(_fresh_select(d))
        want = {_key(r): r[5] for r in cursor.fetchall() if r[5]}
    return [(*key, have.get(key, 0), want.get(key, 0)) for key in sorted(set(have) | set(want), key=str)
            if have.get(key, 0) != want.get(key, 0)]


def compact(connection=None) -> int:
    """Fold the delta rows into one row per key (keys that sum to nothing disappear). Returns the rows removed.
    Totals are unchanged; safe beside writers (one statement each, in one transaction, the table locked
    against concurrent writers meanwhile)."""
    from django.db import transaction

    connection = connection or default_connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        before = cursor.fetchone()[0]
        cursor.execute(f"CREATE TEMPORARY TABLE reports_tally_folded AS SELECT office_id, procedure_id, kind, day, "
                       f"month, SUM(n) AS n FROM {TABLE} GROUP BY office_id, procedure_id, kind, day, month "
                       f"HAVING SUM(n) <> 0")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} (office_id, procedure_id, kind, day, month, n) "
                       f"SELECT office_id, procedure_id, kind, day, month, n FROM reports_tally_folded")
        cursor.execute("DROP TABLE reports_tally_folded")
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return before - cursor.fetchone()[0]


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def within(first: date, last: date):
    """Q over DossierTally: the rows of the days [first, last], whole months read from their month rows."""
    from django.db.models import Q

    a = first if first.day == 1 else _next_month(first)  # the first whole month …
    b = _next_month(last) if _next_month(last) - timedelta(days=1) == last else last.replace(day=1)  # … to b
    if a >= b:
        return Q(month=False, day__gte=first, day__lte=last)
    return (Q(month=True, day__gte=a, day__lt=b) | Q(month=False, day__gte=first, day__lt=a)
            | Q(month=False, day__gte=b, day__lte=last))


def before(day: date):
    """Q over DossierTally: the rows of every day before `day` (the stock at its start)."""
    from django.db.models import Q

    start = day.replace(day=1)
    return Q(month=True, day__lt=start) | Q(month=False, day__gte=start, day__lt=day)


def total(kind, where):
    """The sum of `n` over the rows of `kind` (one or several) matching `where`; 0 when none."""
    from django.db.models import IntegerField, Q, Sum
    from django.db.models.functions import Coalesce

    kinds = [kind] if isinstance(kind, str) else list(kind)
    return Coalesce(Sum("n", filter=Q(kind__in=kinds) & where), 0, output_field=IntegerField())
