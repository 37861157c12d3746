"""The applicants' satisfaction (issue 12; DOMAIN.md §6 "and satisfaction"): counts and percentages of the ratings,
per officer for the director (the officer who served the applicant at the desk and the one who handled the
dossier) and per province for the Legal Department. One grouped query each, scoped like every report."""
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.utils import timezone

from cases.choices import RatingLevel
from cases.models import Rating
from core.scoping import scope_to_user

LEVELS = RatingLevel.values


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _counts(**extra):
    return {level: Count("pk", filter=Q(level=level)) for level in LEVELS} | {"total": Count("pk")} | extra


def _with_rates(row: dict) -> dict:
    total = row["total"]
    row["satisfied_rate"] = round(100 * row["satisfied"] / total, 1) if total else None
    row["dissatisfied_rate"] = round(100 * row["dissatisfied"] / total, 1) if total else None
    return row


def by_officer(*, user, since: date) -> list[dict]:
    """Per officer since a date: ratings of the dossiers they received at the desk or handled; most ratings first."""
    ratings = scope_to_user(Rating.objects.filter(at__gte=_start(since)), user)
    rows: dict[int, dict] = {}
    for role in ("receiving_officer", "processing_officer"):
        grouped = (ratings.filter(**{f"{role}__isnull": False})
                   .values(role, f"{role}__last_name", f"{role}__first_name", f"{role}__username")
                   .annotate(**_counts()))
        for g in grouped:
            entry = rows.setdefault(g[role], {
                "officer": f"{g[f'{role}__last_name']} {g[f'{role}__first_name']}".strip() or g[f"{role}__username"],
                "username": g[f"{role}__username"], "total": 0, **{level: 0 for level in LEVELS}})
            for key in (*LEVELS, "total"):
                entry[key] += g[key]
    return sorted((_with_rates(r) for r in rows.values()), key=lambda r: (-r["total"], r["username"]))


def by_province(*, user, first: date, last: date) -> dict[str, dict]:
    """{province office code: counts and percentages} of the ratings given in [first, last] (local dates), a
    grassroots office's counted in its province."""
    from datetime import timedelta

    ratings = scope_to_user(Rating.objects.filter(at__gte=_start(first), at__lt=_start(last + timedelta(days=1))),
                            user)
    out: dict[str, dict] = {}
    for g in ratings.values("office__code", "office__level", "office__parent__code").annotate(**_counts()):
        code = g["office__parent__code"] if g["office__level"] == "district" else g["office__code"]
        entry = out.setdefault(code, {"total": 0, **{level: 0 for level in LEVELS}})
        for key in (*LEVELS, "total"):
            entry[key] += g[key]
    return {code: _with_rates(row) for code, row in out.items()}
