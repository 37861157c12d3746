"""Gap-free dossier codes and single-winner transitions under real concurrency (PostgreSQL)."""

import pytest

from cases import services
from cases.models import Dossier
from core.errors import DomainError

from .conftest import CITIZEN, local, run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_intakes_get_twenty_consecutive_codes(cast, procedures):
    officer, procedure = cast["reception_hn"], procedures["1.009020"]

    def intake(i):
        return services.dossier_receive(actor=officer, procedure=procedure, applicant={**CITIZEN, "phone": ""},
                                        channel="direct", received_at=local(2025, 6, 2, 9, 0)).code

    codes, errors = run_concurrently(20, intake)
    assert errors == []
    assert sorted(codes) == [f"000.00.01.G13-250602-{i:04d}" for i in range(1, 21)]
    assert Dossier.objects.count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_pressing_start_at_once_one_wins(cast, procedures):
    dossier = services.dossier_receive(actor=cast["reception_hn"], procedure=procedures["1.009020"],
                                       applicant={**CITIZEN, "phone": ""}, channel="direct",
                                       received_at=local(2025, 6, 2, 9, 0))

    def start(i):
        return services.dossier_start(actor=cast["reception_hn"], dossier=dossier).status

    results, errors = run_concurrently(2, start)
    assert results == ["processing"]
    assert len(errors) == 1 and isinstance(errors[0], DomainError) and errors[0].code == "ACTION_NOT_ALLOWED"
    assert dossier.events.filter(action="start").count() == 1
