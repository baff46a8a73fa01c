"""Fixtures for `signup-harness verify`: run the command in-process and read back every report it wrote.

Helpers are fixtures (no helper module to import), so the tests run under any pytest import mode.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.arming import APP_SECRET, TELNYX_KEY, UNKNOWN_TELNYX_KEY, WRONG_APP_SECRET
from harness.cli import main

REPO = Path(__file__).resolve().parents[2]
NODE_EXAMPLE = REPO / "examples" / "partner-node" / "onboard.mjs"
# Every secret a scenario may hand over; none may appear in any report.
CREDENTIAL_SECRETS = (APP_SECRET, TELNYX_KEY, UNKNOWN_TELNYX_KEY, WRONG_APP_SECRET)


@dataclass
class Verified:
    status: int
    document: dict[str, Any]
    json_path: Path
    html_path: Path
    junit_path: Path

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.document["scenarios"]}

    @property
    def html(self) -> str:
        return self.html_path.read_text(encoding="utf-8")

    def junit(self) -> ET.Element:
        return ET.parse(self.junit_path).getroot()

    def report_texts(self) -> dict[str, str]:
        return {p.name: p.read_text(encoding="utf-8") for p in (self.json_path, self.html_path, self.junit_path)}


def _verify(directory: Path, cmd: str, *extra: str) -> Verified:
    paths = {kind: directory / f"report.{kind}" for kind in ("json", "html", "xml")}
    status = main(
        [
            "verify",
            "--cmd",
            cmd,
            "--color",
            "never",
            "--json",
            str(paths["json"]),
            "--html",
            str(paths["html"]),
            "--junit",
            str(paths["xml"]),
            *extra,
        ]
    )
    document = json.loads(paths["json"].read_text())
    return Verified(status, document, paths["json"], paths["html"], paths["xml"])


@pytest.fixture
def verify(tmp_path: Path) -> Callable[..., Verified]:
    """verify(cmd, *options) -> Verified (reports written under tmp_path)."""
    return lambda cmd, *extra: _verify(tmp_path, cmd, *extra)


@pytest.fixture(scope="module")
def verify_module(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Verified]:
    return lambda cmd, *extra: _verify(tmp_path_factory.mktemp("verify"), cmd, *extra)


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary: skipped when absent on a developer machine, a failure when absent in CI."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node is not installed, but CI=true: the Node partner example must be verified in CI")
        pytest.skip("node (Node.js 20) is not installed; the Node partner example cannot run (set CI=true to fail)")
    return found


# The start of every inline partner: the handed-over values and tiny HTTP helpers (urllib, no dependencies).
PARTNER_PRELUDE = """
import json, os, sys, urllib.error, urllib.parse, urllib.request

ENV = os.environ
GRAPH = ENV["SIGNUP_GRAPH_BASE_URL"] + "/" + ENV["SIGNUP_GRAPH_VERSION"]
TELNYX = ENV["SIGNUP_TELNYX_BASE_URL"]

def call(url, data=None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")

def exchange():
    query = urllib.parse.urlencode({
        "client_id": ENV["META_APP_ID"], "client_secret": ENV["META_APP_SECRET"], "code": ENV["SIGNUP_CODE"],
    })
    return call(f"{GRAPH}/oauth/access_token?{query}")

def register(body, base=None):
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + ENV["TELNYX_API_KEY"]}
    base = base or TELNYX
    return call(f"{base}/whatsapp/business_accounts/tech_provider", json.dumps(body).encode(), headers, "POST")

EVENT = json.loads(ENV["SIGNUP_EVENT"]) if ENV["SIGNUP_EVENT"] else None
"""


@pytest.fixture
def python_partner(tmp_path: Path) -> Callable[[str], str]:
    """python_partner(body) -> a shell command running PARTNER_PRELUDE + body (stdlib-only Python)."""
    counter = iter(range(1000))

    def make(body: str) -> str:
        script = tmp_path / f"partner_{next(counter)}.py"
        script.write_text(PARTNER_PRELUDE + textwrap.dedent(body))
        return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"

    return make


@pytest.fixture(scope="session")
def credential_secrets() -> tuple[str, ...]:
    return CREDENTIAL_SECRETS


@pytest.fixture(scope="session")
def node_example() -> Path:
    return NODE_EXAMPLE


def assert_self_contained(html: str) -> None:
    """No stylesheet, script, image or font fetched from anywhere: links to the vendor guide are fine."""
    lowered = html.lower()
    assert "<link" not in lowered and "<script" not in lowered and "@import" not in lowered
    assert "url(" not in lowered
    for attribute in ("src=", "srcset="):
        assert attribute not in lowered, f"an asset reference ({attribute}) in the HTML report"
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("#", "https://developers.telnyx.com/")), f"unexpected link {href}"


@pytest.fixture(scope="session")
def self_contained() -> Callable[[str], None]:
    return assert_self_contained
