"""What the national portal must hear, queued as outbox rows in the same transaction as the change: every change
of every synced dossier (`dossier.sync`, delivered in order and in batches by portal.push) and the answers to
PAKN items (`pakn.answer`, delivered one by one by portal.delivery)."""
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from core.db import bulk_insert_ignore
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue

from .models import PortalLink
from .payload import fmt as _fmt
from .payload import progress_object


SYNC_KIND = "dossier.sync"
# Events the portal does not hear about: an internal draft, the pull itself, what the portal told us.
SILENT_ACTIONS = {"apology-draft", "pull", "portal-update"}


def _synced(office, procedure_code) -> bool:
    """Offices without an electronic agency code are not synced, nor dossiers of a procedure without a code."""
    return bool(office.agency_code) and bool(procedure_code)


def _row(dossier_id, code, office, seq, action, progress, now) -> dict:
    return {"channel": "portal", "kind": SYNC_KIND, "idempotency_key": f"portal-sync:{dossier_id}:{seq}",
            "office_id": office.pk, "dossier_code": code, "subject": action, "next_attempt_at": now,
            "payload": {"madonvi": office.agency_code, "dossier": dossier_id, "seq": seq, "progress": progress}}


def queue_dossier_change(dossier, event):
    """One outbox row for one change of a dossier, with the dossier's next sequence number, in the transaction of
    the change (the service holds the dossier's row lock, so the numbers follow the order of the changes)."""
    procedure = dossier.procedure if dossier.procedure_id else None
    if not _synced(dossier.office, procedure.code if procedure else "") or event.action in SILENT_ACTIONS:
        return None
    if (event.data or {}).get("origin") == "portal":
        return None
    seq = next_numbers([(dossier.pk, dossier.office_id, dossier.source == "national_portal", 1)])[dossier.pk]
    row = _row(dossier.pk, dossier.code, dossier.office, seq, event.action, progress_object(dossier, event),
               timezone.now())
    message = OutboxMessage.objects.create(**row)
    transaction.on_commit(lambda: kick_push(dossier.office_id))
    return message


def queue_dossier_changes(pairs: list):
    """The same for changes written in bulk: `pairs` of (Dossier, DossierEvent) built from rows (the calendar
    recompute). A constant number of queries whatever their number: links created, numbers given and read back,
    outbox rows inserted, each in one statement."""
    pairs = [(d, e) for d, e in pairs if _synced(d.office, "-") and e.action not in SILENT_ACTIONS]
    if not pairs:
        return
    per_dossier = Counter(d.pk for d, _ in pairs)
    first = {}
    for dossier, _ in pairs:
        first.setdefault(dossier.pk, dossier)
    last = next_numbers([(pk, d.office.pk, d.source == "national_portal", per_dossier[pk]) for pk, d in first.items()])
    given = {i: last[i] - per_dossier[i] for i in per_dossier}
    now, rows = timezone.now(), []
    for dossier, event in pairs:
        given[dossier.pk] += 1
        rows.append(_row(dossier.pk, dossier.code, dossier.office, given[dossier.pk], event.action,
                         progress_object(dossier, event), now))
    bulk_insert_ignore(OutboxMessage, rows)
    for office_id in {d.office.pk for d, _ in pairs}:
        transaction.on_commit(lambda office_id=office_id: kick_push(office_id))


def queue_dossier_states(office, *, limit=5000) -> int:
    """Up to `limit` dossiers of the office that were never queued for the portal (brought in by the history import,
    or received before the adapter pushed every dossier) get one change carrying their state only (no progress
    object): DongBoHoSoMC after TraCuuHoSo, like any first push. A constant number of queries; returns how many."""
    from cases.models import Dossier

    dossiers = list(Dossier.objects.filter(office=office, portal_link__isnull=True).select_related("office")
                    .order_by("pk")[:limit])
    if not dossiers or not office.agency_code:
        return 0
    last = next_numbers([(d.pk, office.pk, d.source == "national_portal", 1) for d in dossiers])
    now = timezone.now()
    bulk_insert_ignore(OutboxMessage, [_row(d.pk, d.code, office, last[d.pk], "backfill", None, now) for d in dossiers])
    transaction.on_commit(lambda: kick_push(office.pk))
    return len(dossiers)


def next_numbers(dossiers: list) -> dict:
    """Take the next `count` sequence numbers of each (dossier id, office id, on the portal, count): one
    statement, `INSERT … ON CONFLICT DO UPDATE … RETURNING` (PostgreSQL, SQLite ≥ 3.35), which creates the link of
    a dossier's first change and locks the row until commit, so concurrent changes of one dossier are numbered
    in the order they commit. Returns {dossier id: its last number}."""
    table, qn = PortalLink._meta.db_table, connection.ops.quote_name
    values = ", ".join(["(%s, %s, %s, 0, 0, %s)"] * len(dossiers))
    params = [x for pk, office_id, on_portal, count in dossiers for x in (pk, office_id, count, on_portal)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(table)} (dossier_id, office_id, last_seq, progress_seq, synced_seq, on_portal) "
            f"VALUES {values} ON CONFLICT (dossier_id) DO UPDATE SET last_seq = {qn(table)}.last_seq + "
            "excluded.last_seq RETURNING dossier_id, last_seq", params)
        return dict(cursor.fetchall())


def kick_push(office_id):
    """Ask a worker to push this office's changes now (the periodic push picks them up if the broker is down)."""
    from .tasks import push_office

    try:
        push_office.delay(office_id)
    except Exception:  # noqa: BLE001 - the beat's push sweep delivers them
        pass


def answer_object(item) -> dict:
    """The DongBoKetQuaPAKN answer of a feedback item (CONTRACTS.md §2)."""
    signer = item.approved_by or item.answered_by
    return {
        "MaPAKN": item.code,
        "NoiDungTraLoi": item.answer,
        "NguoiTraLoi": item.answer_signer_name or (signer.display_name if signer else ""),
        "ChucVuNguoiTraLoi": item.answer_signer_title or (signer.title if signer else ""),
        "NgayTraLoi": _fmt(item.answered_at or item.approved_at or timezone.now()),
        "CongKhai": 1 if item.is_public else 0,
    }


def queue_pakn_answer(item):
    """One outbox row (channel "portal", kind "pakn.answer") carrying the answer to the national PAKN system,
    written in the caller's transaction. Items received at the desk are not known there: nothing is queued."""
    if item.source != "national_portal" or not item.office.agency_code:
        return None
    answer = answer_object(item)
    message, _ = outbox_enqueue(
        channel="portal", kind="pakn.answer",
        idempotency_key=f"portal-pakn-answer:{item.pk}:{answer['NgayTraLoi']}:{answer['CongKhai']}",
        office=item.office, subject=item.code, payload={"madonvi": item.office.agency_code, "answer": answer},
    )
    return message
