"""verify judges a partner's webhook endpoint: genuine deliveries accepted, forged and stale ones refused,
duplicates answered 2xx; every report names the mistake (a forgery accepted) per delivery."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes.harness import Harness
from harness.arming import APP_SECRET

PARTNER = Path(__file__).parent / "partners" / "webhook_partner.py"
ONBOARD = f"{shlex.quote(sys.executable)} -m harness.cli onboard"
CHECKS = ("verify-webhook-forged", "verify-webhook-stale", "verify-webhook-duplicate")


def _start(*flags: str) -> Iterator[str]:
    key = Harness(seed="0").telnyx_public_key  # verify's default seed: the key is the same every run
    process = subprocess.Popen(
        [sys.executable, str(PARTNER), "--public-key", key, "--app-secret", APP_SECRET, *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # printed once the socket listens
        assert line.startswith("listening "), line
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def careful_endpoint() -> Iterator[str]:
    yield from _start()


@pytest.fixture(scope="module")
def naive_endpoint() -> Iterator[str]:
    yield from _start("--accept-all")


def _webhooks(record: dict[str, Any], event: str) -> list[dict[str, Any]]:
    return [d for d in record["webhooks"] if d["event"] == event]


def test_a_careful_endpoint_passes_every_webhook_check(careful_endpoint: str, verify: Callable[..., Any]) -> None:
    verified = verify(
        ONBOARD,
        "--id",
        "success",
        "--webhook-url",
        f"{careful_endpoint}/telnyx",
        "--meta-webhook-url",
        f"{careful_endpoint}/meta",
    )
    records = verified.by_id
    assert verified.status == 0, [r["reasons"] for r in records.values()]
    assert set(records) == {"success", *CHECKS}
    (waba_added,) = _webhooks(records["success"], "whatsapp.waba_added")
    assert (waba_added["kind"], waba_added["expected"], waba_added["got"]) == ("genuine", "accepted", "accepted")
    assert any(d["vendor"] == "graph" and d["got"] == "accepted" for d in records["success"]["webhooks"])
    forged = records["verify-webhook-forged"]["webhooks"]
    assert forged and all(d["kind"] == "forged" and d["got"] == "refused" for d in forged)
    assert all(s == 401 for d in forged for s in d["statuses"])  # refused, and so retried: each attempt refused
    (stale,) = _webhooks(records["verify-webhook-stale"], "whatsapp.waba_added")
    assert (stale["kind"], stale["got"]) == ("stale", "refused")
    copies = _webhooks(records["verify-webhook-duplicate"], "whatsapp.waba_added")
    assert [d["kind"] for d in copies] == ["genuine", "duplicate"]
    assert all(d["got"] == "accepted" for d in copies)
    assert "cannot tell whether the redelivery was processed twice" in copies[1]["note"]


def test_an_endpoint_that_accepts_everything_is_told_it_accepted_a_forgery(
    naive_endpoint: str, verify: Callable[..., Any]
) -> None:
    verified = verify(ONBOARD, "--id", "success", "--webhook-url", f"{naive_endpoint}/telnyx")
    records = verified.by_id
    assert verified.status == 1
    assert records["success"]["verdict"] == "pass"  # a genuine delivery accepted is right
    forged = records["verify-webhook-forged"]
    assert forged["verdict"] == "fail"
    assert forged["reasons"][0].startswith("webhook: accepted a forged Telnyx whatsapp.waba_added (wrong signature")
    assert "telnyx-signature-ed25519" in forged["reasons"][0]
    (delivery,) = forged["webhooks"]
    assert (delivery["expected"], delivery["got"]) == ("refused", "accepted")
    stale = records["verify-webhook-stale"]
    assert stale["reasons"][0].startswith("webhook: accepted a replayed Telnyx whatsapp.waba_added")
    assert records["verify-webhook-duplicate"]["verdict"] == "pass"
    causes = [c["reason"] for c in verified.document["causes"]]
    assert "webhook: accepted a forged Telnyx whatsapp.waba_added" in causes
    assert "accepted a forged Telnyx whatsapp.waba_added" in verified.html
    failures = [f.get("message", "") for f in verified.junit().iter("failure")]
    assert any("accepted a forged" in m for m in failures)


def test_an_endpoint_that_is_down_is_reported_unreachable(verify: Callable[..., Any]) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    verified = verify(ONBOARD, "--id", "success", "--webhook-url", f"http://127.0.0.1:{port}/telnyx")
    record = verified.by_id["success"]
    assert verified.status == 1
    (delivery,) = record["webhooks"]
    assert delivery["got"] == "unreachable" and len(delivery["statuses"]) == 3  # Telnyx's attempts, all refused
    assert record["reasons"][0].startswith("webhook: could not deliver the Telnyx whatsapp.waba_added")


def test_webhooks_are_not_judged_unless_asked(verify: Callable[..., Any]) -> None:
    verified = verify(ONBOARD, "--id", "success")
    assert verified.status == 0
    assert set(verified.by_id) == {"success"}
    assert verified.by_id["success"]["webhooks"] is None


def test_a_scenario_s_failover_reaches_the_partner_s_endpoint(
    careful_endpoint: str, verify: Callable[..., Any]
) -> None:
    """The scenario takes the primary URL down for three attempts: the failover (the partner's URL too) gets it."""
    scenario = "webhook-endpoint-down-then-failover"
    verified = verify(ONBOARD, "--id", scenario, "--webhook-url", f"{careful_endpoint}/telnyx")
    assert verified.status == 0, verified.by_id[scenario]["reasons"]
    (waba_added,) = _webhooks(verified.by_id[scenario], "whatsapp.waba_added")
    assert waba_added["got"] == "accepted" and waba_added["statuses"] == [None, None, None, 200]
