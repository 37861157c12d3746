"""What the national portal says is kept (CONTRACTS.md §2, "Both ways, every dossier").

* A first pull keeps the portal's `TrangThaiHoSo` (withdrawn 7 and refused 3 are stored so, closed) and its
  `NgayTiepNhan` (`store_pulled`).
* A dossier we hold that the portal serves again, or that `TraCuuHoSo` returns (the sweep), is compared with
  ours (`reconcile`): a change made on the portal's side becomes an event — withdrawn by the applicant
  (our open dossier is withdrawn), payment requested (6) or made (6 → anything else); what our officers decided
  is never overwritten; any other difference is a `Disagreement`, kept until the two agree again. A difference
  while our own changes wait to be pushed is not one: the portal has not heard them yet.

Set-based: a constant number of queries per page or batch; each change the portal made costs one domain service
call (an event of the dossier's history).
"""
import logging
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.utils import timezone

from cases import events as dossier_events
from cases import services as cases_services
from cases.errors import DomainError
from cases.models import NATIONAL_STATUS, OPEN_STATUSES, Dossier, DossierEvent, Status
from core.db import bulk_insert_ignore, insert_per_parent
from notifications.models import DUE_STATES, OutboxMessage

from . import contract
from .client import PortalError
from .models import Disagreement, PortalLink
from .outbox import SYNC_KIND

log = logging.getLogger(__name__)
PORTAL_ACTOR = "Cổng DVCQG"
WITHDRAWN, PAYMENT_REQUESTED = 7, 6
PULL_NOTES = {
    Status.SUBMITTED: "Nhận hồ sơ nộp trực tuyến từ Cổng DVCQG",
    Status.WITHDRAWN: "Nhận từ Cổng DVCQG: người nộp đã rút hồ sơ trên Cổng (trạng thái 7)",
    Status.REFUSED: "Nhận từ Cổng DVCQG: hồ sơ đã bị từ chối trên Cổng (trạng thái 3)",
}


def _stamp(value):
    try:
        return contract.parse_stamp(value) if value else None
    except ValueError:
        return None


def _status(item):
    value = item.get("TrangThaiHoSo") if isinstance(item, dict) else None
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= 10 else None


def _agrees(ours: str, theirs: int) -> bool:
    """The portal's code says what our status says (payment on the portal is its business, not a difference)."""
    return NATIONAL_STATUS[ours] == theirs or (ours == Status.SUBMITTED and theirs == PAYMENT_REQUESTED)


def store_pulled(*, office, ids: list, fresh: list, now):
    """The "pull" events of a page's new dossiers (one INSERT per stored status) and their links, which keep the
    portal's status and NgayTiepNhan; a status beyond "submitted" that we cannot take over is a disagreement."""
    by_status = {}
    for dossier_id, parsed in zip(ids, fresh):
        by_status.setdefault(parsed.fields["status"], []).append(dossier_id)
    base = dossier_events.dossier_pulled_row()
    for status, dossier_ids in by_status.items():
        insert_per_parent(DossierEvent, "dossier", dossier_ids, {
            "at": now, "actor": None, "actor_name": PORTAL_ACTOR, **base, "to_status": status,
            "note": PULL_NOTES[status]})
    bulk_insert_ignore(PortalLink, [{
        "dossier_id": dossier_id, "office_id": office.pk, "on_portal": True, "last_seq": 0, "progress_seq": 0,
        "synced_seq": 0, "portal_status": parsed.portal["status"], "portal_received_at": parsed.portal["received_at"],
        "portal_seen_at": now} for dossier_id, parsed in zip(ids, fresh)])
    _disagree(office, [(dossier_id, parsed.fields["status"], parsed.portal["status"])
                       for dossier_id, parsed in zip(ids, fresh)
                       if not _agrees(parsed.fields["status"], parsed.portal["status"])], now)


def _disagree(office, differences: list, now, agreeing=()):
    """Open (or refresh) a disagreement per (dossier id, our status, their code); close those that agree again."""
    ids = [d for d, _, _ in differences]
    current = {(x.dossier_id, x.ours, x.theirs): x for x in
               Disagreement.objects.filter(dossier_id__in=ids, resolved_at__isnull=True)} if ids else {}
    seen, new = [], []
    for dossier_id, ours, theirs in differences:
        key = (dossier_id, str(NATIONAL_STATUS[ours]), str(theirs))
        if key in current:
            current[key].last_seen_at = now
            seen.append(current[key])
        else:
            new.append(Disagreement(dossier_id=dossier_id, office=office, ours=key[1], theirs=key[2],
                                    first_seen_at=now, last_seen_at=now))
    if seen:
        Disagreement.objects.bulk_update(seen, ["last_seen_at"])
    if new:
        Disagreement.objects.bulk_create(new)
    stale = [x.pk for x in current.values() if x not in seen]
    if agreeing:
        Disagreement.objects.filter(resolved_at__isnull=True, dossier_id__in=list(agreeing)).update(resolved_at=now)
    if stale:
        Disagreement.objects.filter(pk__in=stale).update(resolved_at=now)


@dataclass
class Reconciled:
    compared: int = 0
    withdrawn: int = 0
    payments: int = 0
    disagreements: int = 0
    errors: list = field(default_factory=list)


def _apply(dossier, link, theirs, result):
    """The portal's own change as an event of our dossier; returns our status afterwards."""
    data = {"origin": "portal", "TrangThaiHoSo": theirs}
    previous = link.portal_status
    try:
        if theirs == WITHDRAWN and dossier.status in OPEN_STATUSES:
            if cases_services.dossier_withdraw_elsewhere(
                    dossier=dossier, actor_name=PORTAL_ACTOR, data=data,
                    reason="Người nộp đã rút hồ sơ trên Cổng Dịch vụ công Quốc gia"):
                result.withdrawn += 1
                return Status.WITHDRAWN
        elif theirs == PAYMENT_REQUESTED and previous != PAYMENT_REQUESTED:
            cases_services.dossier_note_elsewhere(dossier=dossier, actor_name=PORTAL_ACTOR, data=data,
                                                  note="Cổng DVCQG: yêu cầu người nộp thanh toán phí, lệ phí")
            result.payments += 1
        elif previous == PAYMENT_REQUESTED and theirs != PAYMENT_REQUESTED:
            cases_services.dossier_note_elsewhere(dossier=dossier, actor_name=PORTAL_ACTOR, data=data,
                                                  note="Cổng DVCQG: người nộp đã thanh toán phí, lệ phí")
            result.payments += 1
    except (DomainError, DatabaseError) as exc:
        log.warning("applying the portal's status %s to %s failed: %s", theirs, dossier.code, exc)
        result.errors.append(f"{dossier.code}: {exc}")
    return dossier.status


def reconcile(*, office, items: list, now=None) -> Reconciled:
    """Compare the portal's objects of dossiers of `office` we hold with ours and keep what it says (module doc)."""
    now, result = now or timezone.now(), Reconciled()
    theirs = {item["MaHoSo"]: item for item in items if isinstance(item, dict) and _status(item) is not None}
    dossiers = list(Dossier.objects.filter(office=office, code__in=list(theirs)).select_related("office", "procedure"))
    links = {link.pk: link for link in PortalLink.objects.filter(pk__in=[d.pk for d in dossiers])}
    pending = set(OutboxMessage.objects.filter(channel="portal", kind=SYNC_KIND, state__in=DUE_STATES,
                                               dossier_code__in=list(theirs)).values_list("dossier_code", flat=True))
    differences, agreeing, missing = [], [], []
    for dossier in dossiers:
        item = theirs[dossier.code]
        code = _status(item)
        link = links.get(dossier.pk)
        if link is None:
            link = PortalLink(dossier_id=dossier.pk, office=office, on_portal=True)
            missing.append(link)
        ours = _apply(dossier, link, code, result)
        link.portal_status, link.portal_seen_at = code, now
        link.portal_received_at = _stamp(item.get("NgayTiepNhan")) or link.portal_received_at
        result.compared += 1
        if _agrees(ours, code):
            agreeing.append(dossier.pk)
        elif dossier.code not in pending:
            differences.append((dossier.pk, ours, code))
    PortalLink.objects.bulk_create(missing, ignore_conflicts=True)
    PortalLink.objects.bulk_update([link for link in links.values()],
                                   ["portal_status", "portal_seen_at", "portal_received_at"])
    _disagree(office, differences, now, agreeing)
    result.disagreements = len(differences)
    return result


def open_portal_dossiers(office, after_pk: int, limit: int) -> list:
    """(pk, code) of the office's open dossiers the portal knows, in primary-key order after `after_pk`."""
    from django.db.models import Q

    return list(Dossier.objects.filter(office=office, status__in=OPEN_STATUSES, pk__gt=after_pk)
                .filter(Q(source="national_portal") | Q(portal_link__on_portal=True))
                .order_by("pk").values_list("pk", "code")[:limit])


def sweep_office(*, office, client, batch: int = 200, on_batch=None) -> Reconciled:
    """`TraCuuHoSo` of every open dossier of the office the portal knows, `batch` at a time (keyset by primary
    key), each batch compared with ours (`reconcile`): a constant number of queries per batch."""
    from .push import lookup_many

    total, after = Reconciled(), 0
    while rows := open_portal_dossiers(office, after, batch):
        after = rows[-1][0]
        found = lookup_many(client, office.agency_code, [code for _, code in rows])
        failures = [f"{code}: {item}" for code, item in found.items() if isinstance(item, PortalError)]
        done = reconcile(office=office, items=[item for item in found.values() if isinstance(item, dict)])
        for name in ("compared", "withdrawn", "payments", "disagreements"):
            setattr(total, name, getattr(total, name) + getattr(done, name))
        total.errors += done.errors + failures[:5]
        if on_batch:
            on_batch(done)
    return total
