"""English as the second language: the language switch, and a complete, compiled English catalogue.

The msgids are the Vietnamese UI strings themselves, so Vietnamese needs no catalogue; English lives in
locale/en/LC_MESSAGES/django.po (compiled to django.mo, both committed).
"""
import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    """A request in English leaves English active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


def _nav(page):
    """The text of each link of the main navigation."""
    block = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', page, re.S)
    assert block, "no main navigation on the page"
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", block.group(1), re.S)]


def _title(page):
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


# --- Vietnamese by default ---------------------------------------------------------------------------------


def test_desk_is_vietnamese_by_default(client, cast):
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:desk")).content.decode()
    assert '<html lang="vi">' in page
    assert _title(page) == "Bàn làm việc · BHXH"
    assert "Bàn làm việc hôm nay" in page and "Đăng xuất" in page
    # The menu's short words (one line at 1366 px, issue 12); each link's title is the page's full name.
    assert _nav(page) == ["Bàn làm việc", "Tiếp nhận", "Hồ sơ", "Sổ theo dõi", "PAKN", "Lịch"]
    assert 'title="Tiếp nhận hồ sơ"' in page and 'title="Phản ánh, kiến nghị"' in page


def test_login_page_is_vietnamese_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="vi">' in page
    assert _title(page) == "Đăng nhập · BHXH"
    assert "Đăng nhập hệ thống một cửa" in page and "Mật khẩu" in page


# --- Switching to English ----------------------------------------------------------------------------------


def _assert_english_desk(page):
    assert '<html lang="en">' in page
    assert _title(page) == "Desk · BHXH"
    assert "Today&#x27;s desk" in page or "Today's desk" in page
    assert "Bàn làm việc hôm nay" not in page
    assert "One-Stop Desk" in page and "Sign out" in page and 'aria-label="Main navigation"' in page
    assert "Awaiting intake from the National Public Service Portal" in page
    nav = _nav(page)
    assert nav == ["Desk", "Receive", "Dossiers", "Tracking book", "Feedback", "Calendar"], nav
    assert 'title="Receive dossier"' in page and 'title="Working calendar"' in page


def test_reception_officer_switches_the_desk_to_english_with_the_footer_form(client, cast):
    client.force_login(cast["reception_hn"])
    desk = reverse("cases:desk")
    assert 'name="language"' in client.get(desk).content.decode()  # the switch is on every page
    response = client.post(reverse("set_language"), {"language": "en", "next": desk})
    assert response.status_code == 302 and response["Location"] == desk
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    _assert_english_desk(client.get(desk).content.decode())
    # ... and back to Vietnamese.
    client.post(reverse("set_language"), {"language": "vi", "next": desk})
    page = client.get(desk).content.decode()
    assert '<html lang="vi">' in page and "Bàn làm việc hôm nay" in page


def test_desk_is_english_for_the_language_cookie(client, cast):
    client.force_login(cast["reception_hn"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _assert_english_desk(client.get(reverse("cases:desk")).content.decode())


def test_browser_language_alone_keeps_vietnamese(client, cast):
    """core.middleware.LanguageMiddleware ignores Accept-Language: Vietnamese until the officer switches."""
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:desk"), headers={"accept-language": "en-GB,en;q=0.9"}).content.decode()
    assert '<html lang="vi">' in page and "Bàn làm việc hôm nay" in page


def test_unknown_language_cookie_falls_back_to_vietnamese(client, cast):
    client.force_login(cast["reception_hn"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("cases:desk")).content.decode()
    assert '<html lang="vi">' in page and "Bàn làm việc hôm nay" in page


def test_login_page_in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert _title(page) == "Sign in · BHXH"
    assert "Sign in to the one-stop system" in page
    assert ">Username</label>" in page and ">Password</label>" in page
    assert "Đăng nhập hệ thống một cửa" not in page


def test_wrong_password_message_in_english(client, cast):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(reverse("login"), {"username": "tiepnhan.hn", "password": "wrong"}).content.decode()
    assert "Incorrect username or password." in page


# --- The committed catalogue -------------------------------------------------------------------------------


def _unquote(line):
    return ast.literal_eval(line)


def read_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr {index: text}, flags.

    Header and obsolete (#~) entries are left out. Just enough of the format for makemessages' output."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and entry.get("msgid"):
            entries.append(entry)

    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if entry is not None and "msgid" in entry:
                flush()
                entry = None
            entry = entry or {"msgstr": {}, "flags": set()}
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                flush()
                entry = None
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = _unquote(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += text
            else:
                entry[field] += text
            continue
        if keyword in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
            flush()
            entry = None
        entry = entry or {"msgstr": {}, "flags": set()}
        if keyword.startswith("msgstr["):
            field = ("msgstr", int(keyword[7:-1]))
            entry["msgstr"][field[1]] = _unquote(rest)
        elif keyword == "msgstr":
            field = ("msgstr", 0)
            entry["msgstr"][0] = _unquote(rest)
        else:
            field = keyword
            entry[field] = _unquote(rest)
    flush()
    return entries


@pytest.fixture(scope="module")
def po_entries():
    entries = read_po(CATALOGUE / "django.po")
    assert len(entries) > 100, "the English catalogue is missing or was not read"
    return entries


def _label(entry):
    return repr(entry["msgid"]) + (f" (context {entry['msgctxt']!r})" if entry.get("msgctxt") else "")


def test_every_catalogue_entry_is_translated(po_entries):
    """Each entry of the committed django.po has an English msgstr (every plural form), none left fuzzy."""
    untranslated = [_label(e) for e in po_entries if not e["msgstr"] or not all(e["msgstr"].values())]
    fuzzy = [_label(e) for e in po_entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated in django.po: {untranslated}"
    assert not fuzzy, f"fuzzy (needs review) in django.po: {fuzzy}"
    plural = [e for e in po_entries if "msgid_plural" in e]
    assert all(sorted(e["msgstr"]) == [0, 1] for e in plural)


def test_translations_keep_placeholders_and_are_english(po_entries):
    for e in po_entries:
        for text in e["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(e["msgid"])), _label(e)
            words = [w for w in text.split() if not re.search(r"[\d/]", w)]  # document numbers: 20/2020/QĐ-TTg
            assert not VIETNAMESE_LETTERS.search(" ".join(words)), f"{_label(e)} → {text!r} still looks Vietnamese"


def test_compiled_catalogue_matches_the_po(po_entries):
    """django.mo is compiled from the current django.po: every msgid is in it, with the same translation."""
    with open(CATALOGUE / "django.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in po_entries:
        ctxt = e.get("msgctxt")
        if "msgid_plural" in e:
            for n, form in ((1, 0), (2, 1)):
                got = (mo.npgettext(ctxt, e["msgid"], e["msgid_plural"], n) if ctxt
                       else mo.ngettext(e["msgid"], e["msgid_plural"], n))
                if got != e["msgstr"][form]:
                    stale.append(_label(e))
        else:
            got = mo.pgettext(ctxt, e["msgid"]) if ctxt else mo.gettext(e["msgid"])
            if got != e["msgstr"][0]:
                stale.append(_label(e))
    assert not stale, f"django.mo is stale, run compilemessages: {stale}"


def test_every_navigation_label_is_in_the_catalogue(po_entries):
    """The labels are marked with gettext_noop and translated in the template ({% translate item.label %})."""
    from core.context_processors import NAVIGATION

    translated = {e["msgid"] for e in po_entries if not e.get("msgctxt") and all(e["msgstr"].values())}
    missing = [label for label, _name, _roles in NAVIGATION if label not in translated]
    assert not missing, f"navigation labels without an English translation: {missing}"


def test_english_is_served_from_the_committed_catalogue():
    with translation.override("en"):
        assert translation.gettext("Bàn làm việc") == "Desk"
        assert translation.ngettext("%(n)s hồ sơ", "%(n)s hồ sơ", 1) % {"n": 1} == "1 dossier"
        assert translation.ngettext("%(n)s hồ sơ", "%(n)s hồ sơ", 3) % {"n": 3} == "3 dossiers"
    with translation.override("vi"):
        assert translation.gettext("Bàn làm việc") == "Bàn làm việc"
