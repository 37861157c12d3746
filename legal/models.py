"""The legal basis in force by date (DOMAIN.md §2): which decree, circular and BHXH desk rules a slip cites, and
the number and title of each official form. The data is entered and corrected by the Legal Department (Vụ Pháp
chế) and the administrator (legal/views.py, legal/admin.py); every slip reads the set in force on its own date
(legal.selectors.legal_basis_on)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SlipKind(models.TextChoices):
    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    CONTROL = "control", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    BOOK = "book", _("Sổ theo dõi hồ sơ")


NUMBER_HELP = _("Để trống khi văn bản chưa quy định số mẫu; phiếu in tên phiếu không kèm số.")


def _number(verbose_name):
    return models.CharField(verbose_name, max_length=20, blank=True, help_text=NUMBER_HELP)


def _title(verbose_name, kind):
    return models.CharField(verbose_name, max_length=200, default=str(kind.label))


class LegalBasisSet(models.Model):
    """The texts and forms in force from `valid_from` until the next set's `valid_from`."""

    name = models.CharField(_("tên bộ căn cứ"), max_length=200)
    valid_from = models.DateField(_("áp dụng từ ngày"), unique=True)
    decree = models.CharField(_("nghị định"), max_length=300,
                              help_text=_("Ví dụ: Nghị định 118/2025/NĐ-CP."))
    circular = models.CharField(_("thông tư ban hành biểu mẫu"), max_length=300, blank=True,
                                help_text=_("Văn bản ban hành các mẫu phiếu; để trống nếu chưa có."))
    desk_rules = models.CharField(_("quy định của BHXH Việt Nam về bộ phận một cửa"), max_length=300, blank=True)
    receipt_number = _number(_("số mẫu giấy tiếp nhận"))
    receipt_title = _title(_("tên mẫu giấy tiếp nhận"), SlipKind.RECEIPT)
    supplement_number = _number(_("số mẫu phiếu yêu cầu bổ sung"))
    supplement_title = _title(_("tên mẫu phiếu yêu cầu bổ sung"), SlipKind.SUPPLEMENT)
    refusal_number = _number(_("số mẫu phiếu từ chối"))
    refusal_title = _title(_("tên mẫu phiếu từ chối"), SlipKind.REFUSAL)
    apology_number = _number(_("số mẫu phiếu xin lỗi"))
    apology_title = _title(_("tên mẫu phiếu xin lỗi"), SlipKind.APOLOGY)
    control_number = _number(_("số mẫu phiếu kiểm soát"))
    control_title = _title(_("tên mẫu phiếu kiểm soát"), SlipKind.CONTROL)
    book_number = _number(_("số mẫu sổ theo dõi"))
    book_title = _title(_("tên mẫu sổ theo dõi"), SlipKind.BOOK)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("người cập nhật"))

    class Meta:
        verbose_name = _("bộ căn cứ pháp lý")
        verbose_name_plural = _("bộ căn cứ pháp lý")
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{self.name} (từ {self.valid_from:%d/%m/%Y})"

    def form_number(self, kind: str) -> str:
        return getattr(self, f"{SlipKind(kind).value}_number").strip()

    def form_title(self, kind: str) -> str:
        return getattr(self, f"{SlipKind(kind).value}_title").strip() or str(SlipKind(kind).label)

    def form_label(self, kind: str) -> str:
        """The line printed above a slip's title: "Mẫu số 05 – Thông tư 01/2018/TT-VPCP" where the set numbers
        the form; otherwise only the text the slip is issued under ("Nghị định 118/2025/NĐ-CP"), never a number."""
        number = self.form_number(kind)
        if number:
            return " – ".join(x for x in (f"Mẫu số {number}", self.circular.strip()) if x)
        return self.decree.strip()
