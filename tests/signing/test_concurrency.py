"""Two readers asking for the same receipt PDF at once: one seal, one stored copy, the same bytes for both
(PostgreSQL, real threads)."""
import pytest

from cases.signatures import sealed_copy
from signing import demo
from signing.models import SignedDocument
from tests.cases.conftest import local, run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_receipt_seal_it_once(receive):
    dossier = receive("1.009020", at=local(2025, 6, 2, 9, 0))
    demo.ensure_key(office=dossier.office)

    def seal(i):
        return sealed_copy("receipt", dossier).read()

    results, errors = run_concurrently(2, seal)
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert SignedDocument.objects.filter(kind="receipt").count() == 1
