"""The forgiving search: one normalised form of an applicant's name, written wherever the name is written
(`Dossier.save`, the portal's set-based pull) and compared with the normalised query, so "nguyen" finds
"Nguyễn" with the same answer on SQLite and PostgreSQL (no `unaccent` needed; a word index on PostgreSQL).

At national scale (bench/bench_search.py, 1,000,000 dossiers) a common name ("nguyen": one Vietnamese in three)
must not collect and sort hundreds of thousands of matches for a page of 50: `walks` asks the planner how many
rows the search matches (PostgreSQL, the statistics of the word index's keys, migration 0022) and, when they are
common enough, the list walks its ordering index and filters (`name_q(walk=True)`), stopping at the page; a rare
name reads the word index. Either way the same rows: only the plan differs."""
import re
import unicodedata

from django.conf import settings

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


def name_q(name: str, *, walk: bool = False) -> "Q":
    """The dossiers whose normalised name contains `name` (already normalised) from the start of a word: "van hung"
    and "nguyen van h" find "Nguyễn Văn Hùng", "guyen" does not. The same answer on every database (a LIKE on
    " " + search_name). On PostgreSQL a pre-filter that this condition implies (`words_q`) lets the word index
    (`dossier_office_words`, GIN on the office and bhxh_name_words(search_name); migrations 0020, 0022) find the
    candidates: every word typed but the last is a whole word of the name, the last the start of one — where
    a trigram index would intersect the huge lists of "ngu", "guy", "uye"… (Nguyễn is one Vietnamese in three)."""
    from django.db import connection
    from django.db.models import F, Q, Value
    from django.db.models.functions import Concat
    from django.db.models.lookups import Contains

    q = Q(Contains(Concat(Value(" "), F("search_name")), f" {name}"))
    if walk:  # a common name: no index pre-filter, the list's ordering index is walked (see `walks`)
        return q
    words = words_q(name) if connection.vendor == "postgresql" else None
    if words is not None:
        return q & words
    # Punctuation ("a.b.c"): the trigram index of search_name (migration 0011) serves the plain substring this
    # condition implies.
    return q & Q(search_name__contains=name)


def words_q(name: str) -> "Q | None":
    """PostgreSQL's word-index condition that `name` (normalised) typed from the start of a word implies: each
    word but the last a whole word of the name, the last the start of one ("~" + it: migration 0022's keys).
    None when a word holds anything but letters and digits (the trigram pre-filter serves those)."""
    from django.db.models import F, Q, Value

    words = name.split(" ")
    if not all(_WORD.match(w) for w in words):
        return None
    terms = " & ".join([f"'{w}'" for w in words[:-1]] + [f"'~{words[-1]}'"])  # [a-z0-9]+ only: quoted as is
    return Q(WordsMatch(F("search_name"), Value(terms)))


def code_end_q(text: str) -> "Q":
    """The dossiers whose code ends with `text`, case ignored: what an officer types is the tail of the code
    ("261201-0006", "0006", the whole code). `reverse(upper(code)) LIKE 'reversed%'` on every database; on
    PostgreSQL a prefix range of the index `dossier_code_end` (migration 0020). A middle part does not match."""
    from django.db.models import Q
    from django.db.models.functions import Reverse, Upper
    from django.db.models.lookups import StartsWith

    return Q(StartsWith(Reverse(Upper("code")), text.upper()[::-1]))


SEARCH_EXACT_COUNT_LIMIT = 1_000
"""A search counts its matches exactly up to this many (settings.LIST_SEARCH_EXACT_COUNT_LIMIT overrides it);
beyond, on PostgreSQL, the planner's estimate, said so ("Khoảng N hồ sơ (ước tính)", `count_estimated`)."""
WALK_ROWS = 10_000  # walk the ordering index when a page of 50 should be found within about this many rows
PAGE = 50


def exact_count_limit() -> int:
    return getattr(settings, "LIST_SEARCH_EXACT_COUNT_LIMIT", SEARCH_EXACT_COUNT_LIMIT)


def walks(matches: int | None, total: int | None) -> bool:
    """Whether a page of a search that the planner expects to match `matches` of the table's `total` rows is
    found sooner by walking the list's ordering index and filtering (about PAGE × total / matches rows read)
    than by collecting every match from the word index and sorting them."""
    return bool(matches and total) and matches * WALK_ROWS >= PAGE * total


def table_rows(using: str = "default") -> int | None:
    """The planner's count of cases_dossier (pg_class.reltuples, kept by ANALYZE); None where there is none."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'cases_dossier'::regclass")
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] > 0 else None


def _words_match():
    from django.db.models import BooleanField, Func

    class WordsMatch(Func):
        """bhxh_name_words(<column>) @@ <terms>::tsquery: the expression of the index (migration 0022); the terms
        are keys as stored ("~thi"), never parsed."""

        template = "bhxh_name_words(%(expressions)s::tsquery)"
        arg_joiner = "::text) @@ ("
        output_field = BooleanField()
        conditional = True

    return WordsMatch


WordsMatch = _words_match()
