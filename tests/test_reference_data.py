"""The reference data (offices, catalogue, cast, calendar) is there for every test, also after a
transactional test flushed the database, and the factories make valid rows."""
from datetime import date

import pytest

from cases.models import Dossier, Procedure
from core.models import Office, Role, User
from feedback.models import FeedbackItem
from tests.conftest import CAST
from tests.factories import DossierFactory, FeedbackItemFactory, OfficeFactory, ProcedureFactory, UserFactory
from workcal import calendar
from workcal.models import CalendarStamp


def _assert_reference_data():
    assert Office.objects.current().filter(code__in=["00", "01", "79", "01.005"]).count() == 4
    assert Procedure.objects.filter(code__in=["1.009001", "1.009020"]).count() == 2
    assert set(User.objects.values_list("username", flat=True)) >= {username for username, *_ in CAST.values()}
    assert CalendarStamp.objects.exists()
    assert Dossier.objects.count() == 0 and FeedbackItem.objects.count() == 0


@pytest.mark.django_db
def test_every_test_starts_with_the_reference_data_and_nothing_else(cast, offices, procedures):
    _assert_reference_data()
    assert cast["director_hn"].office == offices["01"] and cast["director_hn"].title == "Giám đốc"
    assert cast["admin"].is_superuser and cast["admin"].role == Role.ADMIN
    assert cast["reception_cg"].check_password("pw-tiepnhan.caugiay")
    assert "1.009020" in procedures


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_reference_data_and_its_writes_are_flushed(cast):
    _assert_reference_data()
    DossierFactory()
    User.objects.filter(username="phapche").delete()


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_reference_data_is_built_again(cast):
    """Runs after the previous test (pytest-django keeps transactional tests in order, at the end)."""
    _assert_reference_data()
    assert calendar.is_working_day(calendar.next_working_day(date(2026, 2, 16)))


@pytest.mark.django_db
def test_factories_make_valid_rows(offices, procedures):
    office = OfficeFactory(parent=offices["00"])
    officer = UserFactory(role=Role.PROCESSOR, office=office)
    assert officer.check_password(f"pw-{officer.username}") and officer.office == office
    procedure = ProcedureFactory(processing_days=3)
    dossier = DossierFactory(office=office, procedure=procedure)
    assert (dossier.status, dossier.source, dossier.procedure.processing_days) == ("submitted", "national_portal", 3)
    item = FeedbackItemFactory(office=office)
    assert item.is_open and item.due_at > item.received_at
    for obj in (office, officer, procedure, dossier, item):
        obj.full_clean(exclude=["password"])
