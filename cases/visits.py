"""The applicant's visits for one matter (DOMAIN.md §2.6; Decree 63/2010 Art. 20(4)).

A visit is a time the applicant came to the counter for this matter (same ID number and procedure):
* each desk contact that ended with Form 02 (supplement request) or Form 03 (refusal) — an IntakeGuidance and
  its Trip of purpose GUIDANCE — in the VISIT_WINDOW (30 days) before intake;
* the intake, when it happened at the counter (a dossier received by post or online is no visit);
* each supplement handed in at the counter;
* collecting the result at the counter (the `return` action's `channel` = `counter`; post or online is no visit).

A normal matter is 2 visits; more than `max_returns + 1` (the rule version's `max_returns`, default 2: "no more
than twice back") is *over the visit limit*. Dossier.trip_count holds the count (kept by the services, so lists
and reports filter and count it in SQL: over_visit_limit_q).

An applicant who is back for the same procedure within VISIT_WINDOW of a closed dossier of theirs has *come back*
(the matter was not settled the first time): `came_back_q` / `closed_before`, counted for the officer who
received the new dossier."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from .models import Channel, Dossier, ResultDelivery, Trip

VISIT_WINDOW = timedelta(days=30)
DEFAULT_MAX_RETURNS = 2


def prior_desk_contacts(*, applicant_id_number: str, procedure, before: datetime) -> QuerySet:
    """The Form 02 / Form 03 desk contacts of the applicant for the procedure in the window before `before`."""
    return Trip.objects.filter(dossier__isnull=True, purpose=Trip.Purpose.GUIDANCE,
                               applicant_id_number=applicant_id_number, procedure=procedure,
                               at__gte=before - VISIT_WINDOW, at__lt=before)


def visits_before_intake(dossier: Dossier, intake_at: datetime) -> int:
    return prior_desk_contacts(applicant_id_number=dossier.applicant_id_number, procedure=dossier.procedure,
                               before=intake_at).count()


def dossier_visits(dossier: Dossier) -> list[Trip]:
    """The visits of the matter, oldest first (the dossier page lists them with their dates): two queries."""
    own = list(Trip.objects.filter(dossier=dossier).select_related("officer"))
    prior = []
    if dossier.received_at is not None:
        prior = list(prior_desk_contacts(applicant_id_number=dossier.applicant_id_number,
                                         procedure=dossier.procedure_id, before=dossier.received_at)
                     .select_related("officer"))
    return sorted(prior + own, key=lambda t: (t.at, t.pk))


def visit_limit(dossier: Dossier) -> int:
    """The most visits a matter may take: intake + `max_returns` returns."""
    version = dossier.rule_version
    return (version.max_returns if version is not None else DEFAULT_MAX_RETURNS) + 1


def is_over_visit_limit(dossier: Dossier) -> bool:
    return dossier.trip_count > visit_limit(dossier)


def over_visit_limit_q() -> Q:
    """The SQL form of is_over_visit_limit (a dossier without a rule version is judged by the default)."""
    return (Q(rule_version__isnull=False, trip_count__gt=F("rule_version__max_returns") + 1)
            | Q(rule_version__isnull=True, trip_count__gt=DEFAULT_MAX_RETURNS + 1))


def _closed_before(received_at, applicant_id_number, procedure_id, exclude_pk) -> QuerySet:
    return (Dossier.objects.filter(applicant_id_number=applicant_id_number, procedure_id=procedure_id,
                                   closed_at__gte=received_at - VISIT_WINDOW, closed_at__lt=received_at)
            .exclude(pk=exclude_pk))


def closed_before(dossier: Dossier) -> Dossier | None:
    """The applicant's dossier for the same procedure closed within VISIT_WINDOW before this one was received."""
    if dossier.received_at is None:
        return None
    return (_closed_before(dossier.received_at, dossier.applicant_id_number, dossier.procedure_id, dossier.pk)
            .order_by("-closed_at").first())


def came_back_q() -> Q:
    """The SQL form of `closed_before(dossier) is not None` (one correlated EXISTS, on the applicant's index)."""
    earlier = Dossier.objects.filter(applicant_id_number=OuterRef("applicant_id_number"),
                                     procedure_id=OuterRef("procedure_id"),
                                     closed_at__gte=OuterRef("received_at") - VISIT_WINDOW,
                                     closed_at__lt=OuterRef("received_at")).exclude(pk=OuterRef("pk"))
    return Q(Exists(earlier), received_at__isnull=False)


_DELIVERY_OF_CHANNEL = {Channel.DIRECT: ResultDelivery.COUNTER, Channel.POSTAL: ResultDelivery.POSTAL,
                        Channel.ONLINE: ResultDelivery.ONLINE}


def default_return_channel(dossier: Dossier) -> str:
    """The `return` action's `channel` when none is given: the dossier's result delivery, else by its channel."""
    return dossier.result_delivery or _DELIVERY_OF_CHANNEL.get(dossier.channel, ResultDelivery.COUNTER)


def return_channel(dossier: Dossier, channel: str | None, in_person: bool | None) -> str:
    """The channel a result goes out by: `channel` if given; else `in_person` (True → counter; False → the
    default if that is not the counter, else post); else the default."""
    if channel:
        return channel
    default = default_return_channel(dossier)
    if in_person is None:
        return default
    if in_person:
        return ResultDelivery.COUNTER
    return default if default != ResultDelivery.COUNTER else ResultDelivery.POSTAL
