"""THE pattern of a dossier code (DOMAIN.md §7, Circular 01/2018 Art. 19): `<agency electronic code>-<YYMMDD>-<NNNN>`,
e.g. `000.00.01.H29-200520-0001`. Every door checks it with this module: the national-portal pull, the history
import, and the URL converter `<dossier_code:code>` (a path with any other code is a 404, never a 500)."""
import re
from datetime import datetime

from django.urls import NoReverseMatch, register_converter, reverse
from django.urls.converters import get_converters

# The agency code is the electronic code of the office (e.g. 000.00.01.G13); the daily number has 4 digits,
# more only past 9,999 dossiers a day at one agency.
AGENCY = r"[0-9A-Za-z][0-9A-Za-z.]{0,40}"
PATTERN = rf"{AGENCY}-\d{{6}}-\d{{4,6}}"
SHAPE = re.compile(rf"^(?P<agency>{AGENCY})-(?P<day>\d{{6}})-(?P<number>\d{{4,6}})$")


def is_dossier_code(value) -> bool:
    """Whether `value` is a dossier code by the contract's pattern, its day a real date."""
    if not isinstance(value, str) or not (match := SHAPE.match(value)):
        return False
    try:
        datetime.strptime(match["day"], "%y%m%d")
    except ValueError:
        return False
    return True


class DossierCodeConverter:
    regex = PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


def register():
    if "dossier_code" not in get_converters():
        register_converter(DossierCodeConverter, "dossier_code")


def dossier_url(code) -> str:
    """The dossier page's URL, or "" for a code outside the pattern (a legacy row): pages omit its link."""
    try:
        return reverse("cases:detail", kwargs={"code": code})
    except NoReverseMatch:
        return ""


register()
