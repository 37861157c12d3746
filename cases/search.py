"""The forgiving search: one normalised form of an applicant's name, written wherever the name is written
(`Dossier.save`, the portal's set-based pull) and compared with the normalised query, so "nguyen" finds
"Nguyễn" with the same answer on SQLite and PostgreSQL (no `unaccent` needed; a trigram index on PostgreSQL)."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """Lowercase, Vietnamese diacritics stripped (đ → d), spaces collapsed: "  Nguyễn  Văn Đức" → "nguyen van duc"."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _SPACES.sub(" ", text).strip().lower()


def phone_digits(text: str) -> str:
    """The national significant digits a stored phone (`+84…`) contains, from any way an officer types it:
    "0912 345 678", "+84912345678", "84912345678" and "912 345 678" all give "912345678"; "" when the text is
    not a phone-like run of digits."""
    raw = re.sub(r"[\s.\-()]", "", text or "")
    if raw.startswith("+"):
        raw = raw[1:]
        if raw.startswith("84"):
            raw = raw[2:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        raw = raw[2:]
    elif raw.startswith("0"):
        raw = raw[1:]
    return raw if raw.isdigit() and len(raw) >= 6 else ""
