"""The vendored DejaVu fonts cut down to what our documents print: Latin-1 and Latin Extended-A with every
Vietnamese letter (ơ, ư and the Latin Extended Additional block), combining marks, punctuation, ₫ and €, №,
arrows, ≤ ≥ ≠, squares and circles, check marks, without
OpenType layout tables (precomposed Vietnamese, `_nfc`, needs no shaping). fpdf2 and pyHanko then subset a
~45 KB font instead of a ~700 KB one on every document, several times faster (signing a slip renders and
stamps it inside the issuing request). Made once per machine under var/cache/fonts, keyed by the source
file's size and modification time; when the cache cannot be written the full font is used."""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings

SOURCE_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
RANGES = [(0x20, 0x7E), (0xA0, 0x17F), (0x1A0, 0x1B0), (0x2C6, 0x2DD), (0x300, 0x323), (0x1EA0, 0x1EF9),
          (0x2010, 0x203A), (0x20AB, 0x20AC), (0x2116, 0x2116), (0x2122, 0x2122), (0x2190, 0x2195),
          (0x2212, 0x2212), (0x2260, 0x2265), (0x25A0, 0x25CF), (0x2713, 0x2718)]
_made: dict[str, str] = {}
_lock = threading.Lock()
log = logging.getLogger(__name__)


def _cache_dir() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "cache" / "fonts"


def _subset(source: Path, target: Path, upem: int | None = None) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM", "kern"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False
    font = TTFont(str(source))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for first, last in RANGES for u in range(first, last + 1)])
    subsetter.subset(font)
    if upem and font["head"].unitsPerEm != upem:
        from fontTools.ttLib.scaleUpem import scale_upem

        scale_upem(font, upem)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".ttf")
    os.close(fd)
    font.save(tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)  # atomic: two processes making it at once both end with a whole file


def font_path(name: str, *, upem: int | None = None) -> str:
    """The compact copy of static/fonts/<name> (made on first use), or the full font if it cannot be made.
    `upem=1000` rescales it to 1000 units per em: pyHanko's signature box writes glyph widths in font units,
    which PDF readers take as thousandths of an em (DejaVu has 2048: the letters would stand twice apart)."""
    key = f"{name}:{upem}"
    if key in _made:
        return _made[key]
    with _lock:
        if key not in _made:
            source = SOURCE_DIR / name
            stat = source.stat()
            suffix = f"-{upem}" if upem else ""
            target = _cache_dir() / f"{source.stem}-{stat.st_size}-{int(stat.st_mtime)}{suffix}.ttf"
            try:
                if not target.exists():
                    _subset(source, target, upem)
                _made[key] = str(target)
            except Exception:  # noqa: BLE001 - a read-only disk or an odd font: the full font still works
                log.warning("compact font %s could not be made; using the full font", name, exc_info=True)
                _made[key] = str(source)
    return _made[key]
