"""The intake checklist (thành phần hồ sơ, issue 12): the papers of the dossier's rule version
(`ProcedureVersion.documents`: {name, original, quantity, required}) that the officer ticks as handed in.

A ticked item is given by its **name** (exactly as in the version's list) or by its **0-based index** in that
list; the API's `documents` and the desk form both come through `resolve`, and the service stores the items
themselves (a copy of the version's entries) on `Dossier.documents`.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ORIGINAL_LABELS = {"original": "Bản chính", "copy": "Bản sao", "either": "Bản chính hoặc bản sao"}


def items_of(version) -> list[dict]:
    return list(getattr(version, "documents", None) or [])


def resolve(items: list[dict], ticked: list) -> tuple[list[dict], list[str], list[str]]:
    """(the ticked items in checklist order, the names of the required items not ticked, the ticked values that
    are not in the checklist)."""
    names = [item["name"] for item in items]
    chosen: set[int] = set()
    unknown = []
    for value in ticked:
        text = value.strip() if isinstance(value, str) else None
        if text is not None and text in names:
            chosen.add(names.index(text))
        elif not isinstance(value, bool) and (isinstance(value, int) or (text or "").isdigit()) \
                and 0 <= int(value) < len(items):
            chosen.add(int(value))
        else:
            unknown.append(str(value))
    missing = [item["name"] for i, item in enumerate(items) if item.get("required") and i not in chosen]
    return [dict(items[i]) for i in sorted(chosen)], missing, unknown


def unknown_message(unknown: list[str]) -> str:
    return _("Giấy tờ không có trong thành phần hồ sơ của thủ tục: %(items)s.") % {"items": "; ".join(unknown)}


def missing_message(missing: list[str]) -> str:
    return _("Chưa đủ giấy tờ bắt buộc, còn thiếu: %(items)s.") % {"items": "; ".join(missing)}


def check(items: list[dict], ticked: list) -> list[dict]:
    """The ticked items, or ValidationError naming the unknown or the missing required papers (form, API)."""
    chosen, missing, unknown = resolve(items, ticked)
    if unknown:
        raise ValidationError(unknown_message(unknown), code="invalid")
    if missing:
        raise ValidationError(missing_message(missing), code="required")
    return chosen


def rows(documents: list[dict]) -> list[list[str]]:
    """Form 01's table: STT, name, original/copy, quantity."""
    return [[str(n), d["name"], ORIGINAL_LABELS.get(d.get("original"), d.get("original") or ""),
             str(d.get("quantity") or 1)] for n, d in enumerate(documents, 1)]


def pick(items: list[dict], values: list) -> tuple[list[str], list[str]]:
    """The papers Form 02 asks for, picked from the same checklist (issue 12): each value a 0-based index of the
    rule version's list (an int or a string of digits) → that item's name, a name of the list as it is, any other
    text as typed (a paper the list does not name). Returns (the papers, in order and without repeats; the
    indexes that are not in the list)."""
    papers, bad = [], []
    for value in values:
        text = value.strip() if isinstance(value, str) else None
        if not isinstance(value, bool) and (isinstance(value, int) or (text or "").isdigit()):
            index = int(value)
            if 0 <= index < len(items):
                text = items[index]["name"]
            else:
                bad.append(str(value))
                continue
        if text and text not in papers:
            papers.append(text)
    return papers, bad

