"""The catalogue format: what loads, and how a broken file is reported (file, line, field)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fakes.core.resources import scenarios_dir
from harness.scenarios import ScenarioError, UnknownScenario, load_catalogue, load_file, select

# The cases the catalogue must cover (issue: "at least ...").
REQUIRED = {
    "success",
    "success-with-customer-id",
    "finish-only-waba-resolved-through-graph",
    "no-waba-id-returned",
    "cancel-at-phone-number-verification",
    "cancel-at-business-account-selection",
    "cancel-at-phone-number-setup",
    "signup-error-event",
    "code-already-used",
    "code-expired",
    "redirect-uri-mismatch",
    "wrong-app-secret",
    "unknown-app-id",
    "telnyx-without-key",
    "telnyx-revoked-key",
    "telnyx-422-missing-field",
    "missing-waba",
    "phone-number-not-in-waba",
    "app-not-linked-to-telnyx",
    "duplicate-registration-conflict",
    "telnyx-429-then-success",
    "telnyx-503-then-success",
    "graph-500-then-success",
    "telnyx-timeout",
    "telnyx-dropped-connection",
    "graph-malformed-json",
}
GUIDE_SECTIONS = {
    "The Telnyx API returns a 401 Unauthorized error",
    "The embedded signup completes but no WABA ID is returned",
    "The phone number verification code never arrives",
    "FB.login() doesn't open the embedded signup dialog",
    "I didn't receive the Meta partner invitation email",
}


def test_catalogue_covers_every_required_case() -> None:
    catalogue = load_catalogue()
    ids = {s.id for s in catalogue}
    assert len(catalogue) >= 25
    assert ids >= REQUIRED, f"missing: {sorted(REQUIRED - ids)}"


def test_catalogue_reproduces_the_guide_troubleshooting_sections() -> None:
    sections = {s.troubleshooting for s in load_catalogue() if s.troubleshooting}
    assert sections >= GUIDE_SECTIONS


def _copy_catalogue(tmp_path: Path) -> Path:
    target = tmp_path / "scenarios"
    shutil.copytree(scenarios_dir(), target)
    return target


def test_a_typo_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    directory = _copy_catalogue(tmp_path)
    bad = directory / "success.yaml"
    text = bad.read_text().replace("outcome: success", "outcome: sucess")
    bad.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "sucess" in row)
    with pytest.raises(ScenarioError) as caught:
        load_catalogue(directory)
    message = str(caught.value)
    assert f"success.yaml:{line}: expect.outcome:" in message
    assert "sucess" in message


def test_an_unknown_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\ntitle: t\ndescription: d\nexpect:\n  outcome: success\n  registerd: true\n")
    with pytest.raises(ScenarioError, match=r"x.yaml:4: expect: .*registerd"):
        load_file(path, _validator())


def _validator():  # the bundled schema, whatever directory the file sits in
    from harness.scenarios import _schema_validator

    return _schema_validator(scenarios_dir())


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\ntitle: t\ndescription: [unclosed\nexpect: {outcome: success}\n")
    with pytest.raises(ScenarioError, match=r"broken.yaml:\d+: not valid YAML"):
        load_file(path, _validator())


def test_the_id_must_match_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("id: two\ntitle: t\ndescription: d\nexpect: {outcome: success}\n")
    with pytest.raises(ScenarioError, match="must match the file name 'one'"):
        load_file(path, _validator())


def test_an_error_outcome_must_name_its_error(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text("id: e\ntitle: t\ndescription: d\nexpect: {outcome: error}\n")
    with pytest.raises(ScenarioError, match="expect.error: required"):
        load_file(path, _validator())


def test_selection_by_id_and_tag() -> None:
    catalogue = load_catalogue()
    assert [s.id for s in select(catalogue, ids=["code-expired", "success"])] == ["code-expired", "success"]
    retry = select(catalogue, tags=["retry"])
    assert retry and all("retry" in s.tags for s in retry)
    with pytest.raises(UnknownScenario, match="no-such-thing"):
        select(catalogue, ids=["no-such-thing"])
