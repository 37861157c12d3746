"""The scan's deadline marks (DOMAIN.md §3), kept in a narrow table of their own: `cases.DueMark`.

A mark is one row per dossier in a stage (appointment missed, overdue, apology due, due soon, late to accept):
the dossier's id (primary key), the stage, since when, and whether the dossier has closed since. Keeping it out
of `cases_dossier` is what makes the scan cheap: marking 10,000 dossiers writes 10,000 narrow rows and one
index, instead of 10,000 new versions of the wide dossier row in each of its indexes (an update of an indexed
column is never HOT). No foreign-key constraint in the database either (`db_constraint=False`): the scan's
upsert pays no deferred check per row; the dossier is never deleted in the application (its events protect it).

`Dossier.due_state` stays what the rest of the code reads ("" when unmarked), through `MarkedDossier`: lists and
the detail page `select_related("due_mark")` (or `with_mark`) so that it costs no query per row. A dossier that
closes keeps its mark, flagged `closed`, for the history and the reports; the scan never looks at it again.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DueState


class DueMark(models.Model):
    dossier = models.OneToOneField("cases.Dossier", models.CASCADE, primary_key=True, db_constraint=False,
                                   related_name="due_mark", verbose_name=_("hồ sơ"))
    stage = models.CharField(_("tình trạng hạn"), max_length=20, choices=DueState.choices)
    since = models.DateTimeField(_("từ lúc"))
    closed = models.BooleanField(_("hồ sơ đã kết thúc"), default=False)

    class Meta:
        verbose_name = _("tình trạng hạn")
        verbose_name_plural = _("tình trạng hạn")

    def __str__(self):
        return f"{self.dossier_id}:{self.stage}"


class MarkedDossier:
    """`Dossier.due_state`: the stage of its mark, "" when it has none. Read from `select_related("due_mark")`
    when the queryset asked for it (lists, detail), else one query (cached on the instance)."""

    @property
    def due_state(self) -> str:
        if "_due_state" in self.__dict__:
            return self.__dict__["_due_state"]
        if self.pk is None:
            return DueState.NONE
        try:
            mark = self.due_mark
        except DueMark.DoesNotExist:
            return DueState.NONE
        return mark.stage if mark is not None else DueState.NONE

    @due_state.setter
    def due_state(self, value: str) -> None:
        """Only what this instance reads (factories, unsaved dossiers); the scan alone writes marks."""
        self.__dict__["_due_state"] = value or DueState.NONE


def drop_mark(dossier) -> None:
    """The dossier's mark no longer holds (its clock restarted, it was withdrawn): gone at once, not at the next
    scan."""
    DueMark.objects.filter(dossier_id=dossier.pk).delete()
    dossier.__dict__.pop("_due_state", None)
    if "due_mark" in dossier._state.fields_cache:
        del dossier._state.fields_cache["due_mark"]


def marked_q(stage: str | None = None) -> models.Q:
    """Dossiers with an open mark (in `stage` when given), as a filter on Dossier."""
    q = models.Q(due_mark__closed=False)
    return q & models.Q(due_mark__stage=stage) if stage else q


class ScanState(models.Model):
    """Where the last deadline scan on PostgreSQL stood (one row): the thresholds of its moment, and when it last
    read every open dossier. The next run reads only what can have changed since (cases.services.scan_sql): the
    dossiers whose deadline columns changed (`cases_scandirty`, written by a trigger) and those with a deadline
    moment that the thresholds crossed in between. Without this row, or with thresholds that moved back, a run
    reads every open dossier again."""
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    now_at = models.DateTimeField()
    horizon = models.DateTimeField()
    cutoff = models.DateTimeField()
    full_at = models.DateTimeField(help_text="the last run that read every open dossier")

    class Meta:
        verbose_name = _("trạng thái lượt quét hạn")
        verbose_name_plural = _("trạng thái lượt quét hạn")
