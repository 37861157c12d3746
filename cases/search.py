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


_WORD = re.compile(r"^[a-z0-9]+$")


def name_q(name: str) -> "Q":
    """The dossiers whose normalised name contains `name` (already normalised) from the start of a word: "van hung"
    and "nguyen van h" find "Nguyễn Văn Hùng", "guyen" does not. The same answer on every database (a LIKE on
    " " + search_name). On PostgreSQL a pre-filter that this condition implies lets the word index
    (`dossier_search_words`, GIN on to_tsvector('simple', search_name)) find the candidates: every word typed but the last is a whole word of the name, the last the start of one — where
    a trigram index would intersect the huge lists of "ngu", "guy", "uye"… (Nguyễn is one Vietnamese in three)."""
    from django.db import connection
    from django.db.models import F, Q, Value
    from django.db.models.functions import Concat
    from django.db.models.lookups import Contains

    q = Q(Contains(Concat(Value(" "), F("search_name")), f" {name}"))
    words = name.split(" ")
    if connection.vendor == "postgresql" and all(_WORD.match(w) for w in words):
        terms = " & ".join(words[:-1] + [f"{words[-1]}:*"])
        return q & Q(WordsMatch(F("search_name"), Value(terms)))
    # Punctuation ("a.b.c"): the trigram index of search_name (migration 0011) serves the plain substring this
    # condition implies.
    return q & Q(search_name__contains=name)


def _words_match():
    from django.db.models import BooleanField, Func

    class WordsMatch(Func):
        """to_tsvector('simple', <column>) @@ to_tsquery('simple', <terms>): the expression of the index."""

        template = "to_tsvector('simple'::regconfig, %(expressions)s)"
        arg_joiner = ") @@ to_tsquery('simple'::regconfig, "
        output_field = BooleanField()
        conditional = True

    return WordsMatch


WordsMatch = _words_match()
