"""Every change of every synced dossier reaches the national portal, in order, in batches (CONTRACTS.md §2,
"Both ways, every dossier").

Ordering. Each change is an outbox row (`dossier.sync`) with the dossier's sequence number (portal.outbox). A
dossier's unsent rows are delivered as ONE unit: all of them in one batch, oldest first; a dossier with a row
still backing off is not touched at all (its later rows wait for it), and one office's pushes run under one lock
(`office_lock(…, "push")`), so two workers never send the same dossier at once. The `DongBoHoSoMC` object is the
dossier's full state read at send time, so what the portal gets last is always our latest state: a retried
earlier push resends the current state, never the earlier one (superseded). Progress objects
(`CapNhatTienDoHoSoMC`) are the history itself: sent once each, in sequence order (`PortalLink.progress_seq`).

A worker killed mid-batch leaves its rows `sending`; the next holder of the office's lock sends them again (the
lock dies with the killed worker's connection), so no change is lost.

Batching. Up to PORTAL_PUSH_BATCH dossiers per round trip: one `CapNhatTienDoHoSoMC` and one `DongBoHoSoMC` per
`isUpdating` value, plus one `TraCuuHoSo` per dossier not known on the portal yet (in parallel threads). Each
batch costs a constant number of queries.
"""
import logging
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Max, Min, Value, When
from django.utils import timezone

from cases.models import Dossier
from core.db import bulk_insert_ignore, relax_commit_durability
from notifications.delivery import backoff, batched
from notifications.models import DUE_STATES, DeliveryAttempt, OutboxMessage

from . import contract
from .client import PortalClient, PortalError
from .locks import office_lock
from .models import PortalLink
from .outbox import SYNC_KIND
from .payload import dossier_object

log = logging.getLogger(__name__)
batched(SYNC_KIND)
LEASE_SECONDS = 300
# Due dossiers are read for this many batches at once (one GROUP BY over the unsent rows, not one per batch): a
# dossier picked stays due until its batch claims it, since only its own batch can make it back off.
PREFETCH_BATCHES = 10


@dataclass
class PushResult:
    batches: int = 0
    dossiers: int = 0
    rows: int = 0
    failed: int = 0
    lookups: int = 0
    errors: list = field(default_factory=list)

    def add(self, batch):
        self.batches += 1
        self.dossiers += len(batch.rows)
        self.rows += sum(len(rows) for rows in batch.rows.values())
        self.failed += len(batch.errors)
        self.lookups += batch.lookups
        self.errors += list(batch.errors.values())[:3]


def _unsent(office):
    return OutboxMessage.objects.filter(channel="portal", kind=SYNC_KIND, office=office, state__in=DUE_STATES)


def _orphans_back(office, now):
    """Rows a dead worker left `sending`: we hold the office's push lock, so nobody else is sending them."""
    _unsent(office).filter(state=OutboxMessage.State.SENDING).update(state=OutboxMessage.State.FAILED,
                                                                    next_attempt_at=now)


def due_dossiers(office, now, limit) -> list[str]:
    """The dossiers whose every unsent row is due (none backing off), oldest change first."""
    rows = (_unsent(office).order_by().values("dossier_code").annotate(latest=Max("next_attempt_at"), first=Min("pk"))
            .filter(latest__lte=now).order_by("first")[:limit])
    return [row["dossier_code"] for row in rows]


def _claim(office, codes, now) -> list:
    with transaction.atomic():
        relax_commit_durability()  # lost in a crash, the rows are simply claimed again
        _unsent(office).filter(dossier_code__in=codes).update(
            state=OutboxMessage.State.SENDING, attempts=F("attempts") + 1,
            next_attempt_at=now + timezone.timedelta(seconds=LEASE_SECONDS))
    return list(OutboxMessage.objects.filter(channel="portal", kind=SYNC_KIND, office=office, dossier_code__in=codes,
                                             state=OutboxMessage.State.SENDING).order_by("pk"))


def item_errors(results, key: str, codes: list) -> dict:
    """code → error message for the items of one call that the portal did not accept (one reply line per item,
    in order; matched by position, or by `key` when the reply is not in step)."""
    errors = {}
    if len(results) == len(codes) and all(isinstance(r, dict) and r.get(key, code) == code
                                          for r, code in zip(results, codes)):
        for line, code in zip(results, codes):
            if not contract.is_success(line.get("error_code", "")):
                errors[code] = f"{line.get('message') or 'không rõ lý do'} (mã {line.get('error_code')})"
        return errors
    lines = defaultdict(list)
    for line in results:
        if isinstance(line, dict):
            lines[line.get(key)].append(line)
    for code in codes:
        if not lines.get(code):
            errors[code] = "Cổng DVCQG không xác nhận hồ sơ này"
        elif not all(contract.is_success(line.get("error_code", "")) for line in lines[code]):
            bad = next(line for line in lines[code] if not contract.is_success(line.get("error_code", "")))
            errors[code] = f"{bad.get('message') or 'không rõ lý do'} (mã {bad.get('error_code')})"
    return errors


_local = threading.local()


def _thread_client(base) -> PortalClient:
    if getattr(_local, "base", None) != base.base_url:
        _local.client, _local.base = PortalClient(base.base_url, username=base.username, password=base.password,
                                                  dstcode=base.dstcode, timeout=base.timeout,
                                                  retries=base.retries, backoff=base.backoff), base.base_url
    return _local.client


def lookup_many(client, madonvi, codes) -> dict:
    """code → the portal's object, None (not there) or the PortalError of its `TraCuuHoSo`, several at a time."""
    def one(code):
        try:
            return code, _thread_client(client).lookup_dossier(madonvi, code)
        except PortalError as exc:
            return code, exc

    if not codes:
        return {}
    threads = max(1, min(getattr(settings, "PORTAL_LOOKUP_THREADS", 8), len(codes)))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="portal-lookup") as pool:
        return dict(pool.map(one, codes))


class Batch:
    """One batch of dossiers: their claimed rows, what the portal answered, and the rows written back."""

    def __init__(self, office, client, rows, now):
        self.office, self.client, self.now, self.madonvi = office, client, now, office.agency_code
        self.rows = defaultdict(list)
        for row in rows:
            self.rows[row.dossier_code].append(row)
        ids = {row.payload["dossier"] for row in rows}
        self.links = {link.pk: link for link in PortalLink.objects.filter(pk__in=ids)}
        self.dossiers = {d.code: d for d in Dossier.objects.filter(pk__in=ids).select_related("procedure", "office")
                         .prefetch_related("supplement_requests", "attachments")}
        self.errors, self.lookups, self.created = {}, 0, set()

    def link(self, code):
        return self.links[self.dossiers[code].pk]

    def _fail(self, codes, message):
        for code in codes:
            self.errors.setdefault(code, message)

    def send(self):
        for code in self.rows:
            if code not in self.dossiers:
                self.errors[code] = "Hồ sơ không còn trong hệ thống"
        self._lookup()
        self._states(updating=False)  # new on the portal: the dossier first, then its history
        self._progress()
        self._states(updating=True)

    def _lookup(self):
        new = [code for code in self.rows if code not in self.errors and not self.link(code).on_portal]
        self.lookups = len(new)
        for code, found in lookup_many(self.client, self.madonvi, new).items():
            if isinstance(found, PortalError):
                self.errors[code] = f"{contract.LOOKUP_DOSSIER}: {found}"
            elif found:
                self.link(code).on_portal = True  # already there: an update

    def _call(self, codes, what, call):
        if not codes:
            return
        try:
            self._fail_items(item_errors(call(), "MaHoSo", codes), what)
        except PortalError as exc:
            self._fail(codes, f"{what}: {exc}")

    def _fail_items(self, errors, what):
        for code, message in errors.items():
            self.errors.setdefault(code, f"{what}: {message}")

    def _progress(self):
        """The progress objects not yet accepted, in rounds: round r carries the r-th of each dossier, so that
        one refused item never lets a later one of the same dossier through before it."""
        queues = {}
        for code, rows in self.rows.items():
            if code not in self.errors:
                done = self.link(code).progress_seq
                queues[code] = [r for r in rows if r.payload["seq"] > done and r.payload.get("progress")]
        while items := [(code, queue.pop(0)) for code, queue in queues.items() if queue and code not in self.errors]:
            codes = [code for code, _ in items]
            self._call(codes, contract.UPDATE_PROGRESS,
                       lambda: self.client.update_progress(self.madonvi, [row.payload["progress"] for _, row in items]))
            acked = defaultdict(list)
            for code, row in items:
                if code not in self.errors:
                    self.link(code).progress_seq = row.payload["seq"]
                    acked[row.payload["seq"]].append(self.link(code).pk)
            if acked:  # at once: a worker killed later in the batch does not make the portal hear them twice
                PortalLink.objects.filter(pk__in=[pk for pks in acked.values() for pk in pks]).update(
                    progress_seq=_by_value(acked, "progress_seq", PortalLink))

    def _states(self, *, updating):
        """`DongBoHoSoMC` with each dossier's state read now; "False" for those the portal does not have yet
        (they are then on the portal, and need no "True" in the same batch)."""
        codes = [c for c in self.rows if c not in self.errors and self.link(c).on_portal == updating
                 and c not in self.created]
        objects = [dossier_object(self.dossiers[c], portal_received_at=self.link(c).portal_received_at)
                   for c in codes]
        self._call(codes, contract.SYNC_DOSSIERS,
                   lambda: self.client.sync_dossiers(self.madonvi, objects, updating=updating))
        if not updating:
            for code in set(codes) - set(self.errors):
                self.link(code).on_portal = True
                self.created.add(code)

    def record(self) -> int:
        """Rows sent or backing off, each attempt logged, the links moved: a constant number of set-based
        UPDATEs (one CASE branch per distinct value, not per row)."""
        attempts, sent, failed_error, failed_at = [], [], defaultdict(list), defaultdict(list)
        for code, claimed in self.rows.items():
            error = self.errors.get(code)
            retry_at = self.now + backoff(max(r.attempts for r in claimed))  # the claim counted this attempt
            for row in claimed:
                if error:
                    failed_error[error[:2000]].append(row.pk)
                    failed_at[retry_at].append(row.pk)
                else:
                    sent.append(row.pk)
                attempts.append({"message_id": row.pk, "ok": not error, "detail": (error or f"{code}: OK")[:2000]})
            if not error and code in self.dossiers:
                link = self.link(code)
                link.on_portal, link.synced_at = True, self.now
                link.synced_seq = max(link.synced_seq, *(r.payload["seq"] for r in claimed))
        with transaction.atomic():
            relax_commit_durability()  # lost in a crash: the changes are sent again, the latest state last
            if sent:
                OutboxMessage.objects.filter(pk__in=sent).update(state=OutboxMessage.State.SENT, sent_at=self.now,
                                                                 last_error="")
            if failed_error:
                OutboxMessage.objects.filter(pk__in=[pk for pks in failed_error.values() for pk in pks]).update(
                    state=OutboxMessage.State.FAILED, last_error=_by_value(failed_error, "last_error"),
                    next_attempt_at=_by_value(failed_at, "next_attempt_at"))
            bulk_insert_ignore(DeliveryAttempt, attempts)
            self._record_links()
        return len(self.errors)

    def _record_links(self):
        links = list(self.links.values())
        if not links:
            return
        if connection.vendor == "postgresql":
            return _update_links_pg(links)
        groups = {name: defaultdict(list) for name in ("on_portal", "synced_at", "synced_seq", "progress_seq")}
        for link in links:
            for name, group in groups.items():
                group[getattr(link, name)].append(link.pk)
        PortalLink.objects.filter(pk__in=[link.pk for link in links]).update(
            **{name: _by_value(group, name, PortalLink) for name, group in groups.items()})


def _update_links_pg(links):
    """One `UPDATE … FROM UNNEST(arrays)` for the batch's links (PostgreSQL)."""
    table = PortalLink._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" AS l SET on_portal = v.on_portal, synced_at = v.synced_at, synced_seq = v.synced_seq, '
            "progress_seq = v.progress_seq FROM UNNEST(%s::integer[], %s::boolean[], %s::timestamptz[], "
            "%s::integer[], %s::integer[]) AS v(id, on_portal, synced_at, synced_seq, progress_seq) "
            "WHERE l.dossier_id = v.id",
            [[link.pk for link in links], [link.on_portal for link in links], [link.synced_at for link in links],
             [link.synced_seq for link in links], [link.progress_seq for link in links]])


def _by_value(groups: dict, name: str, model=OutboxMessage):
    """CASE WHEN pk IN (…) THEN value … : one branch per distinct value (a handful), the column as it is else."""
    field = model._meta.get_field(name)
    return Case(*[When(pk__in=pks, then=Value(value, output_field=field)) for value, pks in groups.items()],
                default=F(name), output_field=field)


def push_batch(office, client, codes, now=None) -> Batch:
    now = now or timezone.now()
    batch = Batch(office, client, _claim(office, codes, now), now)
    batch.send()
    batch.record()
    return batch


def _threads(size_of_work: int) -> int:
    """Batches sent at once: their dossiers are disjoint, so each dossier's order holds; while one batch waits for
    the portal, the next is claimed and built. One when called inside a transaction (its rows would be invisible
    to the other threads' connections) or on SQLite."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        return 1
    return max(1, min(getattr(settings, "PORTAL_PUSH_THREADS", 2), size_of_work))


def _push_chunk(office, client, codes, on_thread):
    try:
        with on_thread() if on_thread else nullcontext():
            return push_batch(office, client, codes)
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def push_office(*, office, client=None, limit=None, on_batch=None, on_thread=None) -> PushResult | None:
    """Deliver every due change of the office, batch after batch, until none is due. None when another worker
    is pushing this office (it will send what is due). `on_thread`: a context manager entered around each batch
    in the thread that sends it (the benchmark counts each batch's queries with it)."""
    size = limit or getattr(settings, "PORTAL_PUSH_BATCH", 500)
    result = PushResult()
    with office_lock(office.pk, "push") as lock:
        if not lock.acquired:
            return None
        _orphans_back(office, timezone.now())
        client = client or PortalClient()
        while due := due_dossiers(office, timezone.now(), size * PREFETCH_BATCHES):
            chunks = [due[start:start + size] for start in range(0, len(due), size)]
            threads = _threads(len(chunks))
            if threads == 1:
                batches = (_push_chunk(office, client, chunk, on_thread) for chunk in chunks)
            else:
                pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="portal-push")
                batches = pool.map(lambda chunk: _push_chunk(office, client, chunk, on_thread), chunks)
            for batch in batches:
                result.add(batch)
                lock.refresh()
                if on_batch:
                    on_batch(batch)
            if threads > 1:
                pool.shutdown()
    return result
