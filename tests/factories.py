"""factory_boy factories for the portal's data: offices, users, procedures, dossiers, feedback items.

The fixed cast (tests/conftest.py) is built with these once per test session; a test that needs one more
row of a kind asks the factory for it (`UserFactory(role=Role.PROCESSOR, office=offices["79"])`,
`DossierFactory(office=..., status=Status.SUBMITTED)`, `FeedbackItemFactory(office=...)`). Defaults are
the everyday case; every field a test cares about should be passed explicitly.
"""
from datetime import date, timedelta

import factory
from django.utils import timezone

from cases.models import Dossier, Procedure, Status
from core.models import Office, Role, User
from feedback.models import FeedbackItem

CITIZEN = {"name": "Nguyễn Văn Ánh", "kind": "citizen", "id_number": "001085012345", "phone": "0912345678",
           "email": "anh@example.vn", "address": "Cầu Giấy, Hà Nội"}


class OfficeFactory(factory.django.DjangoModelFactory):
    """A provincial office (under the central office when one is given as `parent`)."""

    class Meta:
        model = Office

    code = factory.Sequence(lambda n: f"9{n % 10}.{n:03d}")
    name = factory.LazyAttribute(lambda o: f"BHXH thử nghiệm {o.code}")
    level = Office.Level.PROVINCE
    agency_code = factory.LazyAttribute(lambda o: f"000.00.{o.code[:2]}.G13")
    valid_from = date(2025, 7, 1)


class UserFactory(factory.django.DjangoModelFactory):
    """An officer; the password is "pw-<username>" unless given (what the login tests type)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"canbo{n}")
    first_name = factory.LazyAttribute(lambda u: u.username)
    role = Role.RECEPTION
    office = None
    title = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", None) or f"pw-{kwargs['username']}"
        return cls._get_manager(model_class).create_user(*args, password=password, **kwargs)


class AdminFactory(UserFactory):
    username = "admin"
    email = "a@b.c"
    role = Role.ADMIN

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", None) or f"pw-{kwargs['username']}"
        return cls._get_manager(model_class).create_superuser(*args, password=password, **kwargs)


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A procedure of the catalogue (the real ones come from fixtures/procedures.csv)."""

    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.LazyAttribute(lambda p: f"Thủ tục thử {p.code}")
    field = "Thu BHXH; BHYT"
    processing_days = 5
    channels = factory.LazyFunction(lambda: ["direct", "online", "postal"])


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier row as the national portal hands it over (status `submitted`, no deadline yet). For a
    dossier received at the desk, with its deadlines, use the `receive` fixture (the real service)."""

    class Meta:
        model = Dossier

    code = factory.Sequence(lambda n: f"000.00.01.G13-200518-{n + 1:04d}")
    office = factory.LazyFunction(lambda: Office.objects.current().get(code="01"))
    procedure = factory.LazyFunction(lambda: Procedure.objects.get(code="1.009001"))
    status = Status.SUBMITTED
    channel = "online"
    source = "national_portal"
    applicant_name = "Công ty A"
    applicant_kind = "enterprise"
    applicant_id_number = "0100109106"


class FeedbackItemFactory(factory.django.DjangoModelFactory):
    """A PAKN item received from the national portal yesterday, answer due in 13 days."""

    class Meta:
        model = FeedbackItem

    code = factory.Sequence(lambda n: f"PAKN.20200512.{n + 12:04d}")
    office = factory.LazyFunction(lambda: Office.objects.current().get(code="01"))
    source = "national_portal"
    title = "Chậm xác nhận danh sách"
    content = "Doanh nghiệp nộp hồ sơ đã lâu"
    sender_name = "Lý Thị Mai"
    sender_phone = "+84912000111"
    received_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=13))
    forward_due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=6))
