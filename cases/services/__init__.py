"""Writes of the dossier lifecycle (DOMAIN.md §2, CONTRACTS.md §1.3), one module per part of it:

* `intake`: receipt at the desk or by post, Form 02/03 at the desk, acceptance of an online dossier;
* `lifecycle`: hand-overs, the supplement request and its papers, the result, return, refusal, withdrawal;
* `transitions`: the state machine as a table, `run_action` and `allowed_actions`;
* `apology`: the apology and reschedule slip, drafted by an officer and signed by the director;
* `bulk`: accept or refuse several online dossiers waiting, each in its own transaction;
* `common`: the checks and the legal clock every service shares.

Each service is one use case in one transaction: it locks the dossier, checks the rule, changes the row,
appends its event (cases.events) and queues its side effects (outbox rows) in the same transaction.
"""
from .bulk import BulkOutcome, dossiers_decide  # noqa: F401
from .common import DESK_UNIT, EARLIEST_RECEIPT_YEAR, PROCESSING_UNIT  # noqa: F401
from .intake import (  # noqa: F401
    dossier_accept,
    dossier_receive,
    dossier_submit_online,
    intake_guidance_issue,
    next_dossier_code,
)
from .lifecycle import (  # noqa: F401
    dossier_handover,
    dossier_note_elsewhere,
    dossier_refuse,
    dossier_request_supplement,
    dossier_resolve,
    dossier_return,
    dossier_start,
    dossier_supplement_received,
    dossier_withdraw,
    dossier_withdraw_elsewhere,
)
from .transitions import (  # noqa: F401
    ACTION_LABELS,
    TRANSITIONS,
    Transition,
    allowed_actions,
    run_action,
)
