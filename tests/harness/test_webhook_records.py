"""What the webhook receiver keeps: bounded, deduplicated, thread-safe, and waited on without sleeping."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time

from werkzeug.test import Client

from harness.webhook_envelopes import ReceivedEvent
from harness.webhook_receiver import WebhookReceiver
from harness.webhook_records import WebhookRecords

SECRET = "records-test-secret"
WAIT = 10.0  # seconds a waiter may wait; a passing test never comes near it


def event(n: int, vendor: str = "telnyx", waba_id: str = "w1") -> ReceivedEvent:
    return ReceivedEvent(vendor, "whatsapp.waba_added", f"e-{n}", waba_id, "SUCCESS", {"n": n}, float(n))


def post_meta(client: Client, waba_id: str) -> int:
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": waba_id, "time": 1, "changes": [{"field": "account_update", "value": {"event": "X"}}]}],
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return client.post("/meta", data=body, headers={"X-Hub-Signature-256": signature}).status_code


def test_at_most_max_events_are_kept_the_oldest_dropped() -> None:
    records = WebhookRecords(max_events=3)
    for n in range(5):
        assert records.record_delivery("telnyx", f"e-{n}", [event(n)], float(n))
    assert [e.id for e in records.events()] == ["e-2", "e-3", "e-4"]
    assert [e.seq for e in records.events()] == [3, 4, 5]


def test_refusals_and_duplicates_are_bounded_too() -> None:
    receiver = WebhookReceiver(meta_app_secret=SECRET, max_events=2)
    client = Client(receiver)
    for n in range(4):
        client.post(f"/nowhere/{n}")
    assert [r.path for r in receiver.refusals()] == ["/nowhere/2", "/nowhere/3"]
    assert post_meta(client, "w1") == 200
    for _ in range(3):
        assert post_meta(client, "w1") == 200
    assert len(receiver.duplicates()) == 2
    assert len(receiver.events()) == 1


def test_the_dedupe_keys_are_bounded_the_oldest_forgotten_first() -> None:
    records = WebhookRecords(max_events=2)
    for n in range(3):
        records.record_delivery("telnyx", f"e-{n}", [event(n)], 0.0)
    assert records.record_delivery("telnyx", "e-2", [event(2)], 0.0) is False  # still remembered
    assert records.record_delivery("telnyx", "e-0", [event(0)], 0.0) is True  # forgotten: processed again
    assert len(records._seen) == 2


def test_the_same_key_from_two_vendors_is_two_deliveries() -> None:
    records = WebhookRecords()
    assert records.record_delivery("telnyx", "k", [event(1)], 0.0)
    assert records.record_delivery("meta", "k", [event(2, "meta")], 0.0)


def test_concurrent_copies_of_one_delivery_are_processed_once() -> None:
    receiver = WebhookReceiver(meta_app_secret=SECRET)
    start = threading.Barrier(8)
    statuses: list[int] = []

    def deliver() -> None:
        start.wait()
        statuses.append(post_meta(Client(receiver), "w1"))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert len(receiver.events()) == 1
    assert len(receiver.duplicates()) == 7


def test_wait_for_wakes_when_an_event_arrives_from_another_thread() -> None:
    receiver = WebhookReceiver(meta_app_secret=SECRET)
    client = Client(receiver)
    assert post_meta(client, "early") == 200  # already here, but not what the waiter wants
    waiting = threading.Event()
    found: list[ReceivedEvent | None] = []

    def waiter() -> None:
        waiting.set()
        found.append(receiver.wait_for(lambda e: e.waba_id == "late", WAIT))

    thread = threading.Thread(target=waiter)
    started = time.monotonic()
    thread.start()
    waiting.wait(WAIT)
    assert post_meta(client, "late") == 200
    thread.join(WAIT)
    assert time.monotonic() - started < WAIT / 2
    assert found and found[0] is not None and found[0].waba_id == "late"


def test_wait_for_returns_what_is_already_here_and_none_on_timeout() -> None:
    receiver = WebhookReceiver(meta_app_secret=SECRET)
    post_meta(Client(receiver), "w1")
    first = receiver.wait_for(lambda e: e.waba_id == "w1", 0)
    assert first is not None and first.seq == 1
    started = time.monotonic()
    assert receiver.wait_for(lambda e: e.waba_id == "w2", 0.05) is None
    assert time.monotonic() - started < WAIT / 2


def test_refusals_and_duplicates_can_be_waited_for() -> None:
    receiver = WebhookReceiver(meta_app_secret=SECRET)
    client = Client(receiver)
    worker = threading.Thread(
        target=lambda: [client.post("/meta", data=b"{}"), post_meta(client, "w"), post_meta(client, "w")]
    )
    worker.start()
    refusal = receiver.wait_for_refusal(lambda r: r.kind == "missing_signature", WAIT)
    duplicate = receiver.wait_for_duplicate(lambda d: d.vendor == "meta", WAIT)
    worker.join(WAIT)
    assert refusal is not None and refusal.status == 401
    assert duplicate is not None and duplicate.seq > refusal.seq  # one running number over the three lists


def test_clear_forgets_records_and_dedupe_keys() -> None:
    receiver = WebhookReceiver(meta_app_secret=SECRET)
    client = Client(receiver)
    post_meta(client, "w1")
    client.post("/nowhere")
    receiver.clear()
    assert (receiver.events(), receiver.refusals(), receiver.duplicates()) == ([], [], [])
    assert post_meta(client, "w1") == 200 and len(receiver.events()) == 1
