"""What every dossier service shares: the writer and office checks, the row lock, the status check against the
state machine, the applicant's trips and the legal clock of the dossier's rule version."""
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from core import permissions
from core.scoping import office_in_scope
from workcal import calendar

from .. import versions
from ..errors import CoreError, DomainError, DossierError
from ..events import DossierAction
from ..models import Dossier, DossierEvent, Status, Trip

DESK_UNIT = "Bộ phận Tiếp nhận và Trả kết quả"
EARLIEST_RECEIPT_YEAR = 2015  # the first year of the materialised working-day calendar
PROCESSING_UNIT = "Phòng nghiệp vụ"
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of the server's clock a moment may be (and is then clamped)


def _local_label(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M:%S}"


def _moment(at: datetime | None, dossier: Dossier | None = None) -> datetime:
    """The moment a service writes: `at` (a historical moment, for the history import and the demo) or now.

    A moment in the future (beyond CLOCK_SKEW) is refused, a few minutes ahead are clamped to now; with a
    dossier, a moment before its last event is refused too: the history is append-only and ordered."""
    now = timezone.now()
    if at is None:
        moment = now
    else:
        if timezone.is_naive(at):
            at = timezone.make_aware(at)  # read as local time (Asia/Ho_Chi_Minh)
        if at > now + CLOCK_SKEW:
            raise DomainError(DossierError.MOMENT_IN_FUTURE, at=_local_label(at))
        moment = min(at, now)
    if dossier is not None:
        last = DossierEvent.objects.filter(dossier=dossier).aggregate(last=Max("at"))["last"]
        if last is not None and moment < last:
            raise DomainError(DossierError.MOMENT_BEFORE_LAST_EVENT, at=_local_label(moment), last=_local_label(last),
                              extra={"last_event_at": timezone.localtime(last).isoformat()})
    return moment


def _require_writer(actor):
    permissions.require(actor, "write", error=CoreError.READ_ONLY_ROLE)


def _require_office_in_scope(actor, office):
    if not office_in_scope(actor, office):
        raise DomainError(DossierError.OFFICE_OUT_OF_SCOPE)


def _lock(dossier) -> Dossier:
    # of=("self",): rule_version is nullable (a LEFT JOIN), which PostgreSQL cannot lock; only the row is locked.
    return (Dossier.objects.select_for_update(of=("self",)).select_related("procedure", "office", "rule_version")
            .get(pk=dossier.pk))


def _check_from(dossier, action: DossierAction):
    """The transition of `action` if the dossier's status allows it now (TRANSITIONS), else a 409."""
    from .transitions import TRANSITIONS  # the table names the services that call this

    transition = TRANSITIONS[action]
    if dossier.status not in transition.sources:
        raise DomainError(DossierError.ACTION_NOT_ALLOWED, action=DossierAction(action).label,
                          status=Status(dossier.status).label, extra={"current_status": dossier.status})
    return transition


def _count_trip(dossier, purpose, officer, at):
    Trip.objects.create(dossier=dossier, office=dossier.office, procedure=dossier.procedure,
                        applicant_id_number=dossier.applicant_id_number, officer=officer, at=at, purpose=purpose)
    Dossier.objects.filter(pk=dossier.pk).update(trip_count=dossier.trip_count + 1)
    dossier.trip_count += 1


def _set_clock(dossier, start_moment: datetime):
    """Start (or restart) the legal clock from a moment of receipt under the dossier's rule version; the
    appointment follows the legal due."""
    office, version = dossier.office, versions.version_of(dossier)
    dossier.clock_started_at = calendar.clock_start(start_moment, office)
    dossier.legal_due_at = calendar.due_at_for_limit(start_moment, version.time_limit_value, version.time_limit_unit,
                                                     office, version.same_day_cutoff)
    dossier.apologise_by = calendar.apologise_by(dossier.legal_due_at, office)
