"""Pull and push with the national portal (CONTRACTS.md §2, "Rules for our side").

* A pulled item is stored once, whatever how often it is pulled, keyed by MaHoSo / MaPAKN: a code we already
  hold is skipped and counted as "already stored", so nothing an officer changed is overwritten.
* An item that fails validation is kept aside (QuarantinedItem) with its raw JSON and the reason in
  Vietnamese; the rest of the page goes on.
* The pull cursor advances only past what was stored — as a row or in quarantine — in the same transaction
  as the page's rows, so a worker killed mid-page loses nothing and duplicates nothing.
* Set-based: each page costs a constant number of queries (one to find the codes we hold, bulk inserts).
"""
import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from attachments.services import register_portal_papers
from cases.models import Dossier, Procedure, Source, Status
from core.db import insert_per_parent, insert_rows, relax_commit_durability
from core.models import Office
from feedback import events as feedback_events
from feedback.models import FeedbackEvent, FeedbackItem
from feedback.models import Source as FeedbackSource
from feedback.models import Status as FeedbackStatus
from notifications.delivery import deliver
from notifications.models import DUE_STATES, OutboxMessage

from . import contract, ingest, push, reconcile
from .client import PortalClient, PortalError
from .models import Kind, QuarantinedItem, SyncCursor, SyncRun

log = logging.getLogger(__name__)
PORTAL_ACTOR = "Cổng DVCQG"
PAKN_ACTOR = "Hệ thống PAKN quốc gia"
PUSH_KINDS = {Kind.DOSSIER: ("dossier.progress",), Kind.PAKN: ("pakn.answer",)}
PUSH_BATCH = 500


@dataclass
class Rejected:
    raw: object
    reason: str
    code: str = ""


@dataclass
class PageResult:
    items: int = 0
    stored: int = 0
    already: int = 0
    quarantined: int = 0
    rejected: list = field(default_factory=list)
    reserved: list = field(default_factory=list)  # the portal's objects of dossiers we already hold (re-served)

    def add(self, other: "PageResult"):
        self.items += other.items
        self.stored += other.stored
        self.already += other.already
        self.quarantined += other.quarantined


def syncable_offices():
    """Offices in force with an electronic agency code; the others are not synced (CONTRACTS.md §2)."""
    return Office.objects.current().exclude(agency_code__isnull=True).exclude(agency_code="").order_by("pk")


# --- one page ---------------------------------------------------------------------------------------------

def _parse_all(items, parse) -> tuple[list, list]:
    good, bad = [], []
    for raw in items:
        try:
            good.append(parse(raw))
        except ingest.Invalid as exc:
            bad.append(Rejected(raw, exc.reason, exc.code))
    return good, bad


def _owners(model, good) -> dict:
    """code → (office id, source) of the page's codes we already hold: one query for the whole page."""
    rows = model.objects.filter(code__in=[p.code for p in good]).values_list("code", "office_id", "source")
    return {code: (office_id, source) for code, office_id, source in rows}


def _split_existing(good, existing: dict, office) -> tuple[list, int, list]:
    """New items, the number already stored (ours, from the portal, same office), and code clashes."""
    fresh, already, clashes, seen = [], 0, [], set()
    for parsed in good:
        if parsed.code in seen:
            already += 1
            continue
        seen.add(parsed.code)
        owner = existing.get(parsed.code)
        if owner is None:
            fresh.append(parsed)
        elif owner == (office.pk, Source.NATIONAL_PORTAL):
            already += 1
        else:
            clashes.append(Rejected(parsed.fields.get("portal_payload") or parsed.fields.get("raw_payload"),
                                    f"Mã “{parsed.code}” đã được dùng cho một hồ sơ/phản ánh khác (tiếp nhận tại "
                                    f"một cửa hoặc thuộc đơn vị khác).", parsed.code))
    return fresh, already, clashes


def fingerprint(raw) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _quarantine(office, kind, rejected: list, now):
    """Keep invalid items aside, once per distinct raw item (a re-pull refreshes last_seen_at and the reason)."""
    if not rejected:
        return
    rows = {}
    for item in rejected:
        key = fingerprint(item.raw)
        rows[key] = QuarantinedItem(office=office, kind=kind, code=item.code[:120], reason=item.reason, raw=item.raw,
                                    fingerprint=key, first_seen_at=now, last_seen_at=now)
    QuarantinedItem.objects.bulk_create(rows.values(), update_conflicts=True,
                                        unique_fields=["kind", "office", "fingerprint"],
                                        update_fields=["last_seen_at", "reason"])


def _resolve_quarantine(office, kind, codes, now):
    if codes:
        QuarantinedItem.objects.filter(office=office, kind=kind, code__in=codes,
                                       state=QuarantinedItem.State.PENDING).update(
            state=QuarantinedItem.State.RESOLVED, resolved_at=now)


def _page_stamp(items, key) -> str:
    """The latest real date among the page's items: everything up to it is now stored or quarantined."""
    return max((ingest.item_stamp(raw, key) for raw in items), default="")


def _advance(cursor, stamp, now):
    """Move the cursor forward (never back) to the page's latest date; one UPDATE."""
    if cursor is None:
        return
    values = {"last_pull_at": now, "updated_at": now}
    if stamp:
        values["position"] = Greatest(F("position"), Value(stamp))
    SyncCursor.objects.filter(pk=cursor.pk).update(**values)


def _count(run, result: PageResult):
    if run is not None:
        SyncRun.objects.filter(pk=run.pk).update(pages=F("pages") + 1, stored=F("stored") + result.stored,
                                                 already=F("already") + result.already,
                                                 quarantined=F("quarantined") + result.quarantined)


def _finish_page(*, office, kind, items, result, fresh_codes, cursor, run, quarantine, date_key, now):
    _resolve_quarantine(office, kind, fresh_codes, now)
    if quarantine:
        _quarantine(office, kind, result.rejected, now)
    _advance(cursor, _page_stamp(items, date_key), now)
    _count(run, result)
    return result


@transaction.atomic
def store_dossier_page(*, office, items: list, cursor=None, run=None, quarantine=True) -> PageResult:
    """Store one page of `LayDanhSachHoSo` as `submitted` dossiers of `office`, each with a "pull" event."""
    relax_commit_durability()
    now = timezone.now()
    procedures = dict(Procedure.objects.values_list("code", "pk"))
    good, bad = _parse_all(items, lambda raw: ingest.parse_dossier(raw, procedures))
    owners = _owners(Dossier, good)
    fresh, already, clashes = _split_existing(good, owners, office)
    ids = insert_rows(Dossier, [dict(p.fields, office_id=office.pk,
                                     closed_at=None if p.fields["status"] == Status.SUBMITTED else now)
                                for p in fresh], now)
    reconcile.store_pulled(office=office, ids=ids, fresh=fresh, now=now)
    ours = (office.pk, Source.NATIONAL_PORTAL)
    register_portal_papers([(pk, p.fields["portal_payload"]) for pk, p in zip(ids, fresh)])  # TaiLieuNop
    result = PageResult(items=len(items), stored=len(fresh), already=already, quarantined=len(bad) + len(clashes),
                        rejected=bad + clashes,
                        reserved=[p.fields["portal_payload"] for p in good if owners.get(p.code) == ours])
    return _finish_page(office=office, kind=Kind.DOSSIER, items=items, result=result,
                        fresh_codes=[p.code for p in fresh], cursor=cursor, run=run, quarantine=quarantine,
                        date_key="NgayNopHoSo", now=now)


def _feedback_rows(office, fresh, related: dict) -> list:
    """FeedbackItems with their legal moments (feedback.deadlines: answer due, forwarding due)."""
    from feedback import deadlines
    from workcal import calendar

    rows = []
    with calendar.pinned():
        for p in fresh:
            received = p.fields["received_at"]
            rows.append(FeedbackItem(
                office=office, source=FeedbackSource.NATIONAL_PORTAL, status=FeedbackStatus.NEW,
                related_dossier_id=related.get(p.fields["related_dossier_code"]),
                due_at=deadlines.answer_due_at(received, office),
                forward_due_at=deadlines.forward_due_at(received, office),
                **p.fields))
    return rows


@transaction.atomic
def store_pakn_page(*, office, items: list, cursor=None, run=None, quarantine=True) -> PageResult:
    """Store one page of `LayDanhSachPAKN` as new FeedbackItems of `office`, each with a "pull" event."""
    relax_commit_durability()
    now = timezone.now()
    good, bad = _parse_all(items, lambda raw: ingest.parse_pakn(raw, office.agency_code))
    fresh, already, clashes = _split_existing(good, _owners(FeedbackItem, good), office)
    related_codes = {p.fields["related_dossier_code"] for p in fresh} - {""}
    related = dict(Dossier.objects.filter(code__in=related_codes).values_list("code", "pk")) if related_codes else {}
    items_saved = FeedbackItem.objects.bulk_create(_feedback_rows(office, fresh, related))
    insert_per_parent(FeedbackEvent, "item", [item.pk for item in items_saved],
                      {"at": now, "actor": None, "actor_name": PAKN_ACTOR, **feedback_events.feedback_pulled_row()})
    result = PageResult(items=len(items), stored=len(fresh), already=already, quarantined=len(bad) + len(clashes),
                        rejected=bad + clashes)
    return _finish_page(office=office, kind=Kind.PAKN, items=items, result=result,
                        fresh_codes=[p.code for p in fresh], cursor=cursor, run=run, quarantine=quarantine,
                        date_key="NgayGui", now=now)


STORE = {Kind.DOSSIER: store_dossier_page, Kind.PAKN: store_pakn_page}


# --- one round --------------------------------------------------------------------------------------------

def cursor_for(office, kind) -> SyncCursor:
    cursor, _ = SyncCursor.objects.get_or_create(office=office, kind=kind, defaults={"position": contract.EPOCH})
    return cursor


def _fetch(client, kind, madonvi, tungay, trang) -> list:
    if kind == Kind.DOSSIER:
        return client.list_dossiers(madonvi, tungay=tungay, trang=trang)
    return client.list_pakn(madonvi, tungay=tungay, trang=trang)


def pull(*, office, kind, client: PortalClient, run=None, on_page=None) -> PageResult:
    """`LayDanhSachHoSo` / `LayDanhSachPAKN` from the cursor, page after page (`trang` from 1), until a page
    shorter than `sobanghi`. Each page is stored in its own transaction together with the cursor.

    While a page is being stored the next one is already being fetched (one read-ahead thread: the portal's
    lists are read-only, and a page is stored only after the one before it)."""
    cursor = cursor_for(office, kind)
    tungay, total, page = cursor.position, PageResult(), 1
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-read-ahead")
    try:
        pending = pool.submit(_fetch, client, kind, office.agency_code, tungay, page)
        while True:
            items = pending.result()
            last = len(items) < client.page_size
            if not last:
                pending = pool.submit(_fetch, client, kind, office.agency_code, tungay, page + 1)
            result = STORE[kind](office=office, items=items, cursor=cursor, run=run)
            if result.reserved:  # what the portal changed on its side since (withdrawn, payment …)
                reconcile.reconcile(office=office, items=result.reserved)
            total.add(result)
            if on_page:
                on_page(result)
            if last:
                return total
            page += 1
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def push_pending(*, office, kind, client=None) -> tuple[int, int]:
    """Deliver the due outbox rows of this office and kind (every push is retried with back-off until the
    portal accepts it; each attempt is a DeliveryAttempt row): dossier changes in batches and in order
    (portal.push), then the rows delivered one by one (PAKN answers; progress rows queued before the batches)."""
    sent = failed = 0
    if kind == Kind.DOSSIER:
        result = push.push_office(office=office, client=client)
        if result is not None:
            sent, failed = result.dossiers - result.failed, result.failed
    ids = list(OutboxMessage.objects.filter(
        channel="portal", office=office, kind__in=PUSH_KINDS[kind], state__in=DUE_STATES,
        next_attempt_at__lte=timezone.now()).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:PUSH_BATCH])
    one_by_one = sum(1 for pk in ids if deliver(pk))
    return sent + one_by_one, failed + len(ids) - one_by_one


def _finish_run(run, *, error=""):
    SyncRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), ok=not error, error=error,
                                             pushed=run.pushed, push_failed=run.push_failed)
    run.refresh_from_db()


def sync_office(*, office, kinds=(Kind.DOSSIER, Kind.PAKN), client=None, trigger="worker", on_page=None) -> list:
    """One pull-and-push round per kind for one office; failures are recorded on the run, in Vietnamese."""
    runs = []
    for kind in kinds:
        run = SyncRun.objects.create(office=office, kind=kind, trigger=trigger)
        errors = []
        try:
            pull(office=office, kind=kind, client=client or PortalClient(), run=run, on_page=on_page)
        except PortalError as exc:
            log.warning("pull %s %s failed: %s (%s)", office.agency_code, kind, exc, exc.detail)
            errors.append(f"Lấy dữ liệu: {exc}")
        except Exception as exc:
            # Anything else (a database error …) is recorded too, so the health page never shows a crashed run
            # as healthy; the task then fails loudly.
            log.exception("pull %s %s crashed", office.agency_code, kind)
            _finish_run(run, error=f"Lỗi hệ thống khi lấy dữ liệu: {exc.__class__.__name__}")
            raise
        try:
            run.pushed, run.push_failed = push_pending(office=office, kind=kind, client=client)
        except PortalError as exc:
            errors.append(f"Gửi dữ liệu: {exc}")
        if run.push_failed:
            errors.append(f"{run.push_failed} lượt gửi lên Cổng chưa thành công, sẽ thử lại.")
        _finish_run(run, error=" ".join(errors))
        runs.append(run)
    return runs


# --- quarantine -------------------------------------------------------------------------------------------

def _refetched(item, client):
    """The portal's current copy of a quarantined dossier (`TraCuuHoSo`), when there is one to ask for."""
    if client is None or item.kind != Kind.DOSSIER or not item.code:
        return None
    try:
        return client.lookup_dossier(item.office.agency_code, item.code)
    except PortalError as exc:
        log.info("lookup of %s failed: %s", item.code, exc)
        return None


def quarantine_retry(*, item: QuarantinedItem, user=None, client=None) -> tuple[bool, str]:
    """Validate a quarantined item again (against today's catalogue, and the portal's current copy when it
    can be fetched); store it if it is valid now. Returns (stored, message in Vietnamese)."""
    raw = _refetched(item, client) or item.raw
    now = timezone.now()
    with transaction.atomic():
        item = QuarantinedItem.objects.select_for_update().select_related("office").get(pk=item.pk)
        if item.state == QuarantinedItem.State.RESOLVED:
            return True, "Mục này đã được lưu trước đó."
        result = STORE[item.kind](office=item.office, items=[raw], quarantine=False)
        item.retry_count += 1
        item.last_retry_at = now
        if result.rejected:
            item.reason = result.rejected[0].reason
            item.save(update_fields=["retry_count", "last_retry_at", "reason"])
            return False, f"Vẫn chưa hợp lệ: {item.reason}"
        item.state, item.resolved_at, item.resolved_by = QuarantinedItem.State.RESOLVED, now, user
        item.save(update_fields=["retry_count", "last_retry_at", "state", "resolved_at", "resolved_by"])
    if result.stored:
        return True, f"Đã lưu {item.code}."
    return True, f"{item.code} đã có trong hệ thống, không lưu lại."
