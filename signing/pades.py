"""PAdES signing with pyHanko: B-B always; B-T with an RFC 3161 time-stamp when SIGNING_TSA_URL is set;
B-LT (the CRLs of the trusted roots embedded in the document's DSS) when the signer's issuer has a CRL on file.
The visible box (name, title, time, in Vietnamese with the vendored DejaVu font) is drawn by pyHanko's text
stamp inside the rectangle the layout left for the signature."""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from django.conf import settings

from .errors import DomainError, SigningError
from .keys import Signer

FIELD = "ChuKySo"
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" on every stamp
logging.getLogger("fontTools.ttLib").setLevel(logging.WARNING)
logging.getLogger("pyhanko.sign.signers.pdf_signer").setLevel(logging.ERROR)  # "fetching is not allowed"


@dataclass
class Box:
    """Where the visible signature goes: a page index (0-based) and (x1, y1, x2, y2) in PDF points from the
    page's lower left corner."""
    page: int
    rect: tuple[float, float, float, float]


@dataclass
class Appearance:
    lines: list[str]  # the text of the box, one line each (already in Vietnamese)


def _timestamper():
    url = settings.SIGNING_TSA_URL
    if not url:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=settings.SIGNING_TSA_TIMEOUT)


def _stamp_style():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    from core.documents.fonts import font_path

    return TextStampStyle(stamp_text="%(text)s", border_width=1,
                          text_box_style=TextBoxStyle(font_size=8, font=GlyphAccumulatorFactory(
                              font_path("DejaVuSans.ttf", upem=1000), font_size=8)))


def sign_pdf(pdf: bytes, signer: Signer, *, box: Box, appearance: Appearance, reason: str, location: str,
             name: str) -> tuple[bytes, str]:
    """Sign `pdf`; return (signed bytes, PAdES level). Raises a coded DomainError when anything fails."""
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as HankoSigningError
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from .trust import has_revocation_info_for, validation_context

    cert = signer.certificate()
    context, crls = validation_context(mode="hard-fail")
    lt = has_revocation_info_for(cert, crls)
    timestamper = _timestamper()
    level = "B-LT" if (lt and timestamper) else ("B-T" if timestamper else "B-B")
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, reason=reason, location=location, name=name,
        embed_validation_info=level == "B-LT", validation_context=context if level == "B-LT" else None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    spec = fields.SigFieldSpec(FIELD, box=box.rect, on_page=box.page)
    try:
        with signer.open() as hanko_signer:
            pdf_signer = signers.PdfSigner(meta, signer=hanko_signer, timestamper=timestamper,
                                           stamp_style=_stamp_style(), new_field_spec=spec)
            out = pdf_signer.sign_pdf(writer, appearance_text_params={"text": "\n".join(appearance.lines)})
    except DomainError:
        raise
    except TimestampRequestError as exc:
        raise DomainError(SigningError.TSA_UNAVAILABLE) from exc
    except (HankoSigningError, Exception) as exc:  # noqa: BLE001 - a token pulled out mid-signature, a bad key
        cause = exc.__cause__ or exc
        if isinstance(cause, TimestampRequestError) or "timestamp" in str(exc).lower():
            raise DomainError(SigningError.TSA_UNAVAILABLE) from exc
        raise DomainError(SigningError.FAILED, reason=type(cause).__name__) from exc
    return out.getvalue(), level

