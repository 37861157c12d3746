"""One number shape for every slip (issue 12): `12/2026/PXL-BHXH-HN` — the slip's number, its year, the kind's
short name, BHXH and the office's short code; numbered per office, kind and year, gap-free (allocated in the
transaction of the change, under a row lock of the office, as the dossier codes and apology numbers are).

Kinds: TNHS the receipt and appointment slip (Form 01), YCBS the supplement request (Form 02, at the desk or during
processing), TC the refusal (Form 03, at the desk or after acceptance), PXL the apology and reschedule slip (its
number and year live on ApologySlip, numbered by cases.services.apology)."""
import unicodedata

from django.db import models
from django.db.models import Max
from django.utils import timezone

KINDS = {"receipt": "TNHS", "supplement": "YCBS", "refusal": "TC", "apology": "PXL"}


def office_short(office) -> str:
    """HN for BHXH thành phố Hà Nội, HCM for BHXH TP. Hồ Chí Minh, CG for BHXH cơ sở Cầu Giấy: the initials of the
    place, without diacritics (an office's own code when it has no name)."""
    name = office.name or ""
    for head in ("BHXH thành phố ", "BHXH tỉnh ", "BHXH TP. ", "BHXH cơ sở ", "BHXH "):
        if name.startswith(head):
            name = name[len(head):]
            break
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    initials = "".join(word[0] for word in plain.split() if word[:1].isalpha()).upper()
    return initials or office.code


def label(kind: str, number: int | None, year: int | None, office) -> str:
    """`12/2026/PXL-BHXH-HN`; "" while the slip has no number yet (a draft)."""
    if not number or not year:
        return ""
    return f"{number}/{year}/{KINDS[kind]}-BHXH-{office_short(office)}"


class DailySequence(models.Model):
    """The last dossier number given by an office on a day (Circular 01/2018 Art. 19), gap-free."""

    office = models.ForeignKey("core.Office", models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "cases"
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="daily_sequence_uniq")]


class SlipNumber(models.Model):
    """The number given to one slip (`key`: "receipt:<dossier pk>", "supplement:<request pk>", …)."""

    office = models.ForeignKey("core.Office", models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    key = models.CharField(max_length=60, unique=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "kind", "year", "number"], name="slip_number_uniq")]


def allocate(*, kind: str, key: str, office, at=None, fresh: bool = False) -> str:
    """The slip's number label, allocated once (inside the caller's transaction): MAX + 1 for the office, kind and
    year under a row lock of the office, so that concurrent slips get consecutive numbers and a rolled-back change
    gives its number back. `fresh`: the key names a row written in this transaction, so it has no number yet
    (the look-up is skipped)."""
    from core.models import Office

    existing = None if fresh else SlipNumber.objects.filter(key=key).select_related("office").first()
    if existing is not None:
        return label(kind, existing.number, existing.year, existing.office)
    year = timezone.localtime(at or timezone.now()).year
    Office.objects.select_for_update().only("pk").get(pk=office.pk)
    last = SlipNumber.objects.filter(office=office, kind=kind, year=year).aggregate(m=Max("number"))["m"]
    row = SlipNumber.objects.create(office=office, kind=kind, year=year, number=(last or 0) + 1, key=key)
    return label(kind, row.number, row.year, office)


def lookup(*, kind: str, key: str) -> str:
    """The label of a slip already numbered, "" otherwise (slips of dossiers from before numbering). Reads only."""
    row = SlipNumber.objects.filter(key=key).select_related("office").first()
    return label(kind, row.number, row.year, row.office) if row else ""
