"""Judge a partner's answers to the vendors' webhook deliveries: per delivery, what it was, what was expected,
what the partner did (accepted, refused, unreachable), and a `webhook:` reason when the two differ.

    verdicts = delivery_verdicts(harness.webhooks(tenant)["deliveries"])
    reasons = [v.reason for v in verdicts if v.reason]

What a delivery is comes from the faults the delivery engine applied to it (fakes/core/delivery.py):

| kind | made by | expected |
|---|---|---|
| genuine | no fault (or delay, out of order, target down for some attempts) | accepted: answered 2xx |
| forged | `bad_signature`: the signature header has the right shape but wrong bytes | refused with a 4xx |
| stale | `stale_timestamp` (Telnyx only): signed 600 s before now, a replay | refused with a 4xx |
| duplicate | `duplicate`: the same event delivered again | accepted: answered 2xx (a refusal is retried) |

verify sees only the HTTP answers: it cannot tell whether a duplicate was processed twice unless the partner
answers it differently from the original (noted, not failed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ACCEPTED, REFUSED, UNREACHABLE, NOT_SENT = "accepted", "refused", "unreachable", "not sent"
GENUINE, FORGED, STALE, DUPLICATE = "genuine", "forged", "stale", "duplicate"
VENDOR_NAMES = {"telnyx": "Telnyx", "graph": "Meta"}
SIGNATURE_ADVICE = {
    "telnyx": 'verify telnyx-signature-ed25519 over "{telnyx-timestamp}|{raw body}" with Telnyx\'s public key '
    "(SIGNUP_TELNYX_PUBLIC_KEY) before acting on it",
    "graph": "compare X-Hub-Signature-256 with the HMAC-SHA256 of the raw body under your app secret "
    "(hmac.compare_digest) before acting on it",
}
UNDISCOVERABLE = "verify sees only your answers: it cannot tell whether the redelivery was processed twice"


@dataclass
class DeliveryVerdict:
    id: str
    vendor: str
    event: str
    target: str
    kind: str
    expected: str
    got: str
    statuses: list[int | None]
    faults: list[str]
    error: str | None = None
    note: str | None = None
    duplicate_of: str | None = None
    reason: str | None = field(default=None)

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def label(self) -> str:
        return f"{VENDOR_NAMES.get(self.vendor, self.vendor)} {self.event}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "vendor": self.vendor,
            "event": self.event,
            "target": self.target,
            "kind": self.kind,
            "expected": self.expected,
            "got": self.got,
            "statuses": self.statuses,
            "faults": self.faults,
            "error": self.error,
            "ok": self.ok,
            "reason": self.reason,
            "note": self.note,
            "duplicate_of": self.duplicate_of,
        }


def kind_of_delivery(delivery: dict[str, Any]) -> str:
    faults = delivery.get("faults") or []
    if "bad_signature" in faults:
        return FORGED
    if "stale_timestamp" in faults and delivery["vendor"] == "telnyx":  # Meta's signature carries no time
        return STALE
    if delivery.get("duplicate_of"):
        return DUPLICATE
    return GENUINE


def _answered(attempts: list[dict[str, Any]]) -> tuple[str, int | None, str | None]:
    """(accepted/refused/unreachable/not sent, the deciding status, the last transport error)."""
    if not attempts:
        return NOT_SENT, None, None
    statuses = [a["status"] for a in attempts]
    ok = [s for s in statuses if s is not None and 200 <= s < 300]
    if ok:
        return ACCEPTED, ok[0], None
    real = [s for s in statuses if s is not None]
    if real:
        return REFUSED, real[-1], None
    return UNREACHABLE, None, attempts[-1].get("error")


def verdict(delivery: dict[str, Any]) -> DeliveryVerdict:
    attempts = delivery.get("attempts") or []
    kind = kind_of_delivery(delivery)
    got, status, error = _answered(attempts)
    result = DeliveryVerdict(
        id=delivery["id"],
        vendor=delivery["vendor"],
        event=delivery["event"],
        target=attempts[-1]["url"] if attempts else delivery["url"],
        kind=kind,
        expected=REFUSED if kind in (FORGED, STALE) else ACCEPTED,
        got=got,
        statuses=[a["status"] for a in attempts],
        faults=list(delivery.get("faults") or []),
        error=error,
        duplicate_of=delivery.get("duplicate_of"),
    )
    result.reason = _reason(result, status)
    return result


def _reason(v: DeliveryVerdict, status: int | None) -> str | None:
    what = v.label
    if v.got == NOT_SENT:
        return f"webhook: the {v.kind} {what} was never sent (it was still waiting when verify stopped)"
    if v.got == UNREACHABLE:
        return f"webhook: could not deliver the {what} to your endpoint ({v.error or 'no answer'}; {v.target})"
    if v.kind == FORGED:
        if v.got == ACCEPTED:
            return (
                f"webhook: accepted a forged {what} (wrong signature, answered HTTP {status}): "
                f"{SIGNATURE_ADVICE.get(v.vendor, 'verify the signature')}"
            )
        return None if status is not None and 400 <= status < 500 else _not_4xx(v, status)
    if v.kind == STALE:
        if v.got == ACCEPTED:
            return (
                f"webhook: accepted a replayed {what} (telnyx-timestamp 600 s old, answered HTTP {status}): "
                "refuse a timestamp more than 300 s from your clock, as Telnyx's SDKs do"
            )
        return None if status is not None and 400 <= status < 500 else _not_4xx(v, status)
    if v.got == REFUSED:
        if v.kind == DUPLICATE:
            return (
                f"webhook: refused a redelivered {what} (HTTP {status}): answer a duplicate 2xx without processing "
                "it again, or the vendor keeps retrying it"
            )
        return (
            f"webhook: refused a genuine {what} (HTTP {status}): check the key or secret you verify with, and "
            "that you verify the raw body as received (not re-serialised JSON)"
        )
    return None


def _not_4xx(v: DeliveryVerdict, status: int | None) -> str:
    return (
        f"webhook: answered a {v.kind} {v.label} with HTTP {status}: refuse it with a 4xx (400, 401 or 403); "
        "a 5xx says your endpoint failed, not that the delivery was untrustworthy"
    )


def delivery_verdicts(deliveries: list[dict[str, Any]]) -> list[DeliveryVerdict]:
    """One verdict per delivery, in the order they were made; a duplicate answered differently gets a note."""
    verdicts = [verdict(d) for d in deliveries]
    by_id = {v.id: v for v in verdicts}
    for v in verdicts:
        original = by_id.get(v.duplicate_of or "")
        if v.kind != DUPLICATE or original is None:
            continue
        if original.statuses[-1:] != v.statuses[-1:]:
            v.note = (
                f"answered the original {original.statuses[-1:]} and the redelivery {v.statuses[-1:]}: "
                "your endpoint treated them differently"
            )
        else:
            v.note = f"both answered {v.statuses[-1:]}; {UNDISCOVERABLE}"
    return verdicts


def webhook_key(reason: str) -> str:
    """`webhook: accepted a forged Telnyx whatsapp.waba_added (...)`: the part before the details."""
    return reason.split(" (", 1)[0]
