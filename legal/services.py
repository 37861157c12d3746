"""Writes of the legal basis (thin: a set is data; the check of who may edit is in the callers' permission)."""
from django.db import transaction

from .models import LegalBasisSet


@transaction.atomic
def legal_basis_save(*, instance: LegalBasisSet, actor) -> LegalBasisSet:
    """Store a new or edited set, stamped with who changed it."""
    instance.updated_by = actor
    instance.full_clean()
    instance.save()
    return instance
