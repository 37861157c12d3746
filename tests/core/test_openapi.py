"""Issue 13, item 12: the OpenAPI schema tells the truth. On main it typed `applicant`, `supplement_requests`,
`apology_slips` and `receipt_url` as plain strings, left nullables unmarked, had no response schema for the
dashboard and the report and documented no error response."""
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _component(schema, ref_or_schema):
    ref = ref_or_schema.get("$ref") or (ref_or_schema.get("allOf") or [{}])[0].get("$ref")
    if ref:
        return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return ref_or_schema


def _props(schema, name):
    return schema["components"]["schemas"][name]["properties"]


def test_schema_types_the_dossiers_applicant_as_an_object_not_a_string(schema):
    applicant = _component(schema, _props(schema, "Dossier")["applicant"])
    assert applicant.get("type") == "object"
    assert {"name", "kind", "id_number", "phone", "email", "address"} <= set(applicant["properties"])
    listed = _component(schema, _props(schema, "DossierList")["applicant"])
    assert listed.get("type") == "object"
    public = _component(schema, _props(schema, "PublicDossier")["applicant"])
    assert set(public["properties"]) == {"name", "phone"}


def test_supplement_requests_and_apology_slips_are_arrays_of_objects(schema):
    props = _props(schema, "Dossier")
    for name, keys in [("supplement_requests", {"number", "requested_at", "reason", "documents", "fulfilled_at"}),
                       ("apology_slips", {"number", "state", "issued_at", "new_appointment_at", "is_late"})]:
        assert props[name]["type"] == "array", name
        item = _component(schema, props[name]["items"])
        assert keys <= set(item["properties"]), name
    assert _component(schema, props["supplement_requests"]["items"])["properties"]["fulfilled_at"]["nullable"]


def test_nullables_are_marked(schema):
    props = _props(schema, "Dossier")
    assert props["receipt_url"] == {"type": "string", "nullable": True, "readOnly": True}
    for name in ["assignee", "received_at", "legal_due_at", "appointment_at", "resolved_at", "returned_at",
                 "date_of_birth", "rule_version"]:
        assert props[name].get("nullable"), name
    assert props["documents"]["type"] == "array"
    version = _props(schema, "ProcedureVersion")
    assert version["stops_taking_at"]["nullable"]
    assert _component(schema, version["time_limit"])["properties"]["unit"]["$ref"].endswith("UnitEnum")
    assert _props(schema, "Feedback")["assignee"]["nullable"]


def _response(schema, path, method="get", status="200", media="application/json"):
    return schema["paths"][path][method]["responses"][status]["content"][media]["schema"]


def test_dashboard_report_and_closure_have_response_schemas(schema):
    dashboard = _component(schema, _response(schema, "/api/v1/dashboard/"))
    assert {"tiles", "trend", "status", "overdue_by_procedure", "officers", "repeat_applicants"} <= set(
        dashboard["properties"])
    tiles = _component(schema, dashboard["properties"]["tiles"])
    assert tiles["properties"]["on_time_rate"]["nullable"]

    report = _component(schema, _response(schema, "/api/v1/reports/tthc/"))
    assert {"from", "to", "rows", "totals", "closed_at", "closed_by"} <= set(report["properties"])
    totals = _component(schema, report["properties"]["totals"])
    assert totals["properties"]["received_total"]["type"] == "integer"
    for media in ["text/csv", "application/pdf",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]:
        assert _response(schema, "/api/v1/reports/tthc/", media=media) == {"type": "string", "format": "binary"}
    closed = _component(schema, _response(schema, "/api/v1/reports/tthc/close/", "post", "201"))
    assert {"office", "month", "closed_at", "closed_by", "totals"} <= set(closed["properties"])


@pytest.mark.parametrize("path,method,status", [
    ("/api/v1/notifications/", "get", "200"), ("/api/v1/notifications/{id}/read/", "post", "200"),
    ("/api/v1/feedback/", "get", "200"), ("/api/v1/feedback/{id}/", "get", "200"),
    ("/api/v1/calendar/", "get", "200"), ("/api/v1/calendar/due-date/", "get", "200"),
    ("/api/v1/calendar/years/", "get", "200"), ("/api/v1/procedures/", "get", "200"),
    ("/api/v1/procedures/{code}/versions/", "get", "200"), ("/api/v1/public/dossiers/{code}/", "get", "200"),
    ("/api/v1/auth/token/", "post", "200"), ("/api/v1/dossiers/{code}/events/", "get", "200"),
])
def test_every_endpoint_has_a_typed_response(schema, path, method, status):
    body = _component(schema, _response(schema, path, method, status))
    assert body.get("type") == "object" and body["properties"], path


def test_every_operation_documents_its_errors_as_the_error_object(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses and "404" in responses, (method, path)
            public = path in ("/api/v1/auth/token/", "/api/v1/verify/") or path.startswith("/api/v1/public/")
            if not public:
                assert {"401", "403"} <= set(responses), (method, path)
            if method == "post" and not public:
                assert "409" in responses, (method, path)
            for code in ("401", "403", "404", "409", "429"):
                if code in responses:
                    error = _component(schema, responses[code]["content"]["application/json"]["schema"])
                    assert error["required"] == ["detail"] and "code" in error["properties"]
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in schema["paths"]["/api/v1/public/dossiers/{code}/"]["get"]["responses"]


def test_list_sizes_and_text_lengths_are_bounded_in_the_schema(schema):
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/dossiers/"]["get"]["parameters"]}
    assert params["page_size"]["maximum"] == 500 and params["page_size"]["minimum"] == 1
    assert params["q"]["maxLength"] == 200
    intake = schema["components"]["schemas"]["DossierInRequest"]["properties"]
    assert intake["documents"]["maxItems"] == 100
    assert intake["summary"]["maxLength"] == 4000
    action = schema["components"]["schemas"]["ActionInRequest"]["properties"]
    assert action["documents"]["maxItems"] == 100 and action["documents"]["items"]["maxLength"] == 300
    assert action["unit"]["maxLength"] == 200


def test_schema_generation_is_free_of_warnings_and_valid(tmp_path):
    """Every method field typed, no unresolved view, no component clash: `spectacular --fail-on-warn`."""
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
