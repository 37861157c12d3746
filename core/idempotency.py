"""Idempotent writes (issue 13 item 7): a request carrying a key is done once. Its answer (status and body) is
stored with the key in the same transaction as the write, unique per user and key; a retry with the same key and
the same body gets that first answer back — also when the first attempt committed but its answer never reached
the client — and a key reused with another body is refused (422), never a second write.

Two attempts racing with one key: the second INSERT of the key waits for the first transaction, then fails on
the unique constraint; its whole transaction (its write included) rolls back and it answers the first one's
result."""
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import CoreError, DomainError
from .models import IdempotentRequest

KEY = re.compile(r"[\x21-\x7e]{1,200}")  # visible ASCII, as the IETF draft's examples (UUIDs, random tokens)


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    replayed: bool


def fingerprint(scope: str, data) -> str:
    text = json.dumps([scope, data], sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: str) -> str:
    if not KEY.fullmatch(key or ""):
        raise DomainError(CoreError.IDEMPOTENCY_KEY_INVALID)
    return key


def _previous(user, key: str, digest: str) -> Outcome | None:
    record = IdempotentRequest.objects.filter(user=user, key=key).only("fingerprint", "status", "response").first()
    if record is None:
        return None
    if record.fingerprint != digest:
        raise DomainError(CoreError.IDEMPOTENCY_KEY_REUSED)
    return Outcome(record.status, record.response, replayed=True)


def run_once(*, user, key: str, scope: str, data, run) -> Outcome:
    """Do `run()` → (status, JSON-able body) once for (user, key), in one transaction with the stored answer."""
    digest = fingerprint(scope, data)
    previous = _previous(user, check_key(key), digest)
    if previous is not None:
        return previous
    try:
        with transaction.atomic():
            # The key first: a concurrent attempt with the same key waits here, before doing any work.
            record = IdempotentRequest.objects.create(user=user, key=key, scope=scope, fingerprint=digest, status=0)
            status, body = run()
            record.status, record.response = status, json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            record.save(update_fields=["status", "response"])
    except IntegrityError:
        previous = _previous(user, key, digest)  # the concurrent attempt committed first: its answer
        if previous is None:
            raise
        return previous
    return Outcome(record.status, record.response, replayed=False)


def prune(*, now=None) -> int:
    """Forget the keys older than IDEMPOTENCY_KEY_HOURS (the stored answers hold personal data)."""
    before = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    return IdempotentRequest.objects.filter(created_at__lt=before).delete()[0]
