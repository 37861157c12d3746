"""Issue 13, item 12 and "Fuzzing in CI": schemathesis against `/api/schema/`, as a reception officer and as a
director (token auth), on PostgreSQL, with dossiers of both provinces. Every operation of the schema gets its
schema examples, then positive and negative cases (FUZZ_EXAMPLES each, default 25: about 1,100 cases a role,
1-2 minutes; deadline off); each response must pass `not_a_server_error`, `status_code_conformance`,
`content_type_conformance` and `response_schema_conformance`. Path parameters are drawn half the time from
real dossier codes, procedure codes, feedback ids and alert ids, so the cases reach real objects.
FUZZ_RANDOM=1 explores beyond the fixed (derandomized) cases; FUZZ_VERBOSE=1 prints the statuses per operation.

The app is called in-process (schemathesis' WSGI transport), so it runs inside the test's transaction and
sees the fixture's data; the schema is loaded through the same door, with the caller's token.
Failures are collected (one per operation, check and status) and reported together."""
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
RANDOM = bool(os.environ.get("FUZZ_RANDOM"))  # explore beyond the fixed, derandomized cases CI runs
VERBOSE = bool(os.environ.get("FUZZ_VERBOSE"))  # print the statuses answered per operation
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PATH_PARAMS = ("code", "id", "pk")
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


@pytest.fixture
def world(cast, receive, offices):
    """Dossiers of Hà Nội (its province and a grassroots office) and of Hồ Chí Minh City, some moved along their
    lifecycle; a feedback item; an alert for the caller."""
    from cases import services
    from notifications.models import OutboxMessage
    from tests.factories import FeedbackItemFactory

    dossiers = [receive(), receive(name="Trần Thị Bình"), receive(officer="reception_cg"),
                receive(officer="reception_hcm"), receive(officer="reception_hcm", name="Lê Văn Cường")]
    services.run_action("start", actor=cast["processor_hn"], dossier=dossiers[1], body={"assignee": "chuyenvien.hn"})
    feedback = [FeedbackItemFactory(office=offices["01"]), FeedbackItemFactory(office=offices["79"])]
    ids = {"code": [d.code for d in dossiers], "id": [f.pk for f in feedback], "pk": [f.pk for f in feedback],
           "procedure": ["1.009020", "1.009003"]}
    alerts = list(OutboxMessage.objects.filter(channel="officer").values_list("pk", flat=True)[:5])
    ids["id"] += alerts
    return ids


@pytest.fixture
def in_process():
    """The app called through WSGI inside the test's transaction: as Django's test client does, the request
    signals must not close the database connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def fuzz(app, user, world):
    """Run every operation of the schema as `user`; return (cases run, failures)."""
    headers = {"Authorization": f"Token {_token(user)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers=headers)
    runs, failures, statuses = [0], {}, {}
    real = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in world.items()})

    def check(operation, case, use_real=False, values=None):
        if use_real and case.path_parameters:
            for name in PATH_PARAMS:
                if name in case.path_parameters:
                    real_name = "procedure" if operation.path.startswith("/api/v1/procedures/") else name
                    case.path_parameters[name] = values[real_name]
        runs[0] += 1
        response = case.call(headers=headers)
        seen = statuses.setdefault(operation.label, {})
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported below
            key = (operation.label, response.status_code, type(exc).__name__)
            failures.setdefault(key, f"{case.path_parameters} {case.query} -> "
                                     f"{response.text[:300]!r}\n{str(exc)[:1500]}")

    for result in schema.get_all_operations():
        operation = result.ok()
        # The schema's own examples first (a valid intake, a due date that can be computed) ...
        for strategy in schema.get_strategies_from_examples(operation):
            given(case=strategy)(settings(SETTINGS, max_examples=1)(lambda case: check(operation, case)))()
        # ... then generated cases, valid and invalid.
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @SETTINGS
            @given(case=strategy, use_real=st.booleans(), values=real)
            def run(case, use_real, values):
                check(operation, case, use_real, values)

            try:
                run()
            except Unsatisfiable:  # nothing to negate (an operation without parameters or body)
                assert mode is GenerationMode.NEGATIVE, operation.label
    if VERBOSE:
        for label, seen in sorted(statuses.items()):
            print(f"  {label}: {dict(sorted(seen.items()))}")
    return runs[0], failures


@pytest.mark.parametrize("role", ["reception_hn", "director_hn"])
def test_the_api_answers_as_its_schema_says(role, cast, world, in_process, capsys):
    runs, failures = fuzz(in_process, cast[role], world)
    with capsys.disabled():
        print(f"\nschemathesis as {role}: {runs} cases, {len(failures)} distinct failures")
    report = "\n\n".join(f"{label} -> {status} [{kind}]\n{detail}" for (label, status, kind), detail in
                         sorted(failures.items()))
    assert not failures, report
