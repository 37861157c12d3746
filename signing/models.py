"""Keys as offices hold them, the roots the administrator trusts, and every signed document as issued.

* `SigningKey`: a person's signature (director, deputy: `user`) or an office's seal (`office`, no user), held
  in a PKCS#12 file (path + passphrase from an environment variable or a secrets file) or on a PKCS#11
  token/HSM (module, token label, PIN from the environment or a file, key label). The backend is chosen per
  key, so per office; a remote-signing service is a further backend behind the same `signing.keys.Signer`.
* `TrustedRoot`: a root certificate (PEM) the administrator trusts, with its CRL (PEM) when one is known;
  verification and the pre-signing check chain to these.
* `SignedDocument`: the signed PDF bytes as stored (Django storage) with their sha256: the bytes served,
  attached and pushed afterwards. `token` is the verification id printed in the document's QR code.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    class Backend(models.TextChoices):
        PKCS12 = "pkcs12", _("Tệp PKCS#12 (.p12/.pfx)")
        PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (token/HSM)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("người ký"))
    office = models.ForeignKey("core.Office", models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("đơn vị (con dấu)"))
    backend = models.CharField(_("loại khóa"), max_length=8, choices=Backend.choices, default=Backend.PKCS12)
    label = models.CharField(_("ghi chú"), max_length=200, blank=True)
    # PKCS#12
    pkcs12_path = models.CharField(_("đường dẫn tệp PKCS#12"), max_length=500, blank=True)
    # PKCS#11
    pkcs11_module = models.CharField(_("thư viện PKCS#11"), max_length=500, blank=True)
    token_label = models.CharField(_("nhãn token"), max_length=100, blank=True)
    key_label = models.CharField(_("nhãn khóa"), max_length=100, blank=True)
    cert_label = models.CharField(_("nhãn chứng thư (để trống = nhãn khóa)"), max_length=100, blank=True)
    # The secret (passphrase or PIN) is never stored here: an environment variable or a file names it.
    secret_env = models.CharField(_("biến môi trường chứa mật khẩu/PIN"), max_length=100, blank=True)
    secret_file = models.CharField(_("tệp chứa mật khẩu/PIN"), max_length=500, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khóa ký số")
        verbose_name_plural = _("khóa ký số")
        constraints = [
            models.CheckConstraint(condition=models.Q(user__isnull=False) | models.Q(office__isnull=False),
                                   name="signingkey_has_owner"),
        ]

    def __str__(self):
        owner = self.user.username if self.user_id else f"con dấu {self.office}"
        return f"{owner} ({self.get_backend_display()})"


class TrustedRoot(models.Model):
    name = models.CharField(_("tên"), max_length=200)
    certificate_pem = models.TextField(_("chứng thư gốc (PEM)"))
    crl_pem = models.TextField(_("danh sách thu hồi CRL (PEM)"), blank=True)
    active = models.BooleanField(_("tin cậy"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")

    def __str__(self):
        return self.name


class SignedDocument(models.Model):
    class Kind(models.TextChoices):
        APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
        RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
        SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
        GUIDANCE = "guidance", _("Phiếu hướng dẫn tại Bộ phận một cửa")
        REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
        RESULT = "result", _("Kết quả giải quyết thủ tục hành chính")

    class Level(models.TextChoices):
        B_B = "B-B", "PAdES B-B"
        B_T = "B-T", "PAdES B-T"
        B_LT = "B-LT", "PAdES B-LT"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("loại văn bản"), max_length=12, choices=Kind.choices)
    reference = models.CharField(_("văn bản"), max_length=120)  # e.g. "apology:12", "receipt:<dossier code>"
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, blank=True, db_index=True)
    title = models.CharField(_("tên văn bản"), max_length=300)
    office = models.ForeignKey("core.Office", models.PROTECT, related_name="+")
    seal = models.BooleanField(_("chữ ký số cơ quan"), default=False)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    signer_name = models.CharField(_("người ký"), max_length=200)
    signer_title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    certificate_subject = models.CharField(max_length=500)
    certificate_serial = models.CharField(max_length=80)
    level = models.CharField(max_length=4, choices=Level.choices)
    file = models.FileField(upload_to="signed/%Y/%m/")
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    signed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("văn bản đã ký số")
        verbose_name_plural = _("văn bản đã ký số")
        constraints = [models.UniqueConstraint(fields=["kind", "reference"], name="signed_document_once")]
        ordering = ["-signed_at"]

    def __str__(self):
        return f"{self.title} ({self.reference})"

    def read(self) -> bytes:
        with self.file.open("rb") as fh:
            return fh.read()
