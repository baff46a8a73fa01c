"""A fake that drifts from its spec is caught: a Telnyx serializer that drops a required field is reported by the
fake's own response check (what the pytest plugin raises at teardown) and by schemathesis's
response_schema_conformance check (what the contract suite runs)."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.core.failures import FailureGroup

import fakes.telnyx.app as telnyx_app
from fakes.core.resources import spec_path
from fakes.harness import Harness
from fakes.telnyx import serializers

APP_ID = "100000000000001"
TELNYX_KEY = "KEYLOCALTEST0001_notarealtelnyxkey"
REGISTER = "/v2/whatsapp/business_accounts/tech_provider"


@pytest.fixture
def broken_serializer(monkeypatch):
    """`registration_body` without `data.status`, the field clients read to confirm the registration."""

    def without_status(registration):
        body = serializers.registration_body(registration)
        del body["data"]["status"]
        return body

    # The app module imported the name, so patch it where it is looked up.
    monkeypatch.setattr(telnyx_app, "registration_body", without_status)


def registration_for(h: Harness) -> dict[str, str]:
    signup = h.complete_signup(app_id=APP_ID)
    return {"waba_id": signup["waba_id"], "phone_number_id": signup["phone_number_id"], "app_id": APP_ID}


def test_the_fakes_own_response_check_reports_the_missing_field(broken_serializer):
    h = Harness(check_responses=True)
    h.seed_demo()
    with h.session() as session:
        response = session.post(
            f"{h.telnyx_url}/whatsapp/business_accounts/tech_provider",
            json=registration_for(h),
            headers={"Authorization": f"Bearer {TELNYX_KEY}"},
        )
    assert response.status_code == 200 and "status" not in response.json()["data"]
    (entry,) = h.journal(operation="registerTechProvider")
    assert [(v["pointer"], v["rule"]) for v in entry["response_violations"]] == [("/data/status", "required")]


def test_schemathesis_reports_the_missing_field(broken_serializer):
    h = Harness(check_responses=True)
    h.seed_demo()
    schema = schemathesis.openapi.from_path(spec_path("telnyx"))
    schema.app = h.telnyx_app
    case = schema[REGISTER]["POST"].Case(
        body=registration_for(h),
        headers={"Authorization": f"Bearer {TELNYX_KEY}"},
        media_type="application/json",
    )
    with pytest.raises(FailureGroup) as caught:
        case.call_and_validate()
    report = str(caught.value)
    assert [type(f).__name__ for f in caught.value.exceptions] == ["JsonSchemaError"]
    assert "Response violates schema" in report
    assert '"status" is a required property' in report


def test_the_unbroken_serializer_passes_the_same_checks():
    """The control: the same request against the real serializer is clean on both counts."""
    h = Harness(check_responses=True)
    h.seed_demo()
    schema = schemathesis.openapi.from_path(spec_path("telnyx"))
    schema.app = h.telnyx_app
    case = schema[REGISTER]["POST"].Case(
        body=registration_for(h),
        headers={"Authorization": f"Bearer {TELNYX_KEY}"},
        media_type="application/json",
    )
    case.call_and_validate()
    assert all(not e["response_violations"] for e in h.journal())
