"""Reads of the legal basis: the set in force on a day, and the form line and title a slip prints."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from . import defaults
from .models import LegalBasisSet, SlipKind


def _day(value) -> date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def legal_basis_on(day=None) -> LegalBasisSet:
    """The set with the latest `valid_from` on or before `day` (a date, an aware datetime read in Asia/Ho_Chi_Minh,
    or None for today). A day before every set gets the earliest one. One query."""
    day = _day(day)
    found = (LegalBasisSet.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
             or LegalBasisSet.objects.order_by("valid_from").first())
    if found is not None:
        return found
    shipped = [LegalBasisSet(**row) for row in defaults.SETS]  # empty table (a flushed test database)
    return next((s for s in reversed(shipped) if s.valid_from <= day), shipped[0])


@dataclass(frozen=True)
class SlipForm:
    """What a slip prints from the legal basis: the form line above the title, the title, and the set."""

    label: str
    title: str
    basis: LegalBasisSet

    @property
    def heading(self) -> str:
        return self.title.upper()


def slip_form(kind: str, day=None) -> SlipForm:
    """The form line and title of slip `kind` (legal.models.SlipKind) under the set in force on `day`."""
    basis = legal_basis_on(day)
    return SlipForm(label=basis.form_label(SlipKind(kind)), title=basis.form_title(kind), basis=basis)


def legal_basis_list():
    return list(LegalBasisSet.objects.select_related("updated_by").order_by("valid_from"))
