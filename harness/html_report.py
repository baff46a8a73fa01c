"""A self-contained HTML report of a `verify` run: one file, inline CSS, no script, no external asset.

Built from `VerifyResult.to_dict()` records (already scrubbed of secrets); every value is HTML-escaped. The only
links point at the vendor guide's troubleshooting section, for the scenarios that reproduce one of its cases.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from .verify import TROUBLESHOOTING_URL

CSS = """
:root { --pass: #1a7f37; --fail: #cf222e; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; margin: 0;
       padding: 24px; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.meta code { background: var(--soft); padding: 1px 4px; border-radius: 4px; }
.summary { font-size: 16px; font-weight: 600; margin: 12px 0 20px; }
.summary .pass { color: var(--pass); } .summary .fail { color: var(--fail); }
table.overview { border-collapse: collapse; width: 100%; margin-bottom: 24px; }
table.overview th, table.overview td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left;
                                       vertical-align: top; }
table.overview th { background: var(--soft); }
.badge { display: inline-block; min-width: 44px; text-align: center; font-weight: 600; font-size: 12px;
         border-radius: 10px; padding: 1px 8px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
details.scenario { border: 1px solid var(--line); border-left: 4px solid var(--pass); border-radius: 6px;
                   margin: 0 0 12px; padding: 0 12px; }
details.scenario.fail { border-left-color: var(--fail); }
details.scenario > summary { cursor: pointer; padding: 10px 0; font-weight: 600; }
details.scenario > summary .title { font-weight: 400; color: var(--muted); }
h3 { font-size: 14px; margin: 14px 0 6px; }
ul.reasons li { color: var(--fail); }
ul.violations li code, td code { font-size: 12px; }
table.calls { border-collapse: collapse; width: 100%; }
table.calls th, table.calls td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; font-size: 12px; }
table.calls th { background: var(--soft); }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow-x: auto;
      white-space: pre-wrap; word-break: break-word; font-size: 12px; max-height: 360px; }
.muted { color: var(--muted); }
section.causes { border: 1px solid var(--fail); border-radius: 6px; padding: 4px 16px; margin: 0 0 20px; }
section.causes h2 { font-size: 16px; margin: 8px 0; }
section.causes ol li { margin: 0 0 8px; }
section.causes .reason { font-weight: 600; color: var(--fail); }
.tag { display: inline-block; background: var(--soft); border: 1px solid var(--line); border-radius: 10px;
       padding: 0 6px; margin-right: 4px; font-size: 11px; color: var(--muted); }
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _anchor(scenario_id: str) -> str:
    return "s-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in scenario_id)


def _overview(records: Sequence[dict[str, Any]]) -> str:
    rows = []
    for r in records:
        reason = r["reasons"][0] if r["reasons"] else ""
        rows.append(
            f'<tr><td><span class="badge {_e(r["verdict"])}">{_e(r["verdict"].upper())}</span></td>'
            f'<td><a href="#{_anchor(r["id"])}">{_e(r["id"])}</a></td><td>{_e(r["title"])}</td>'
            f"<td>{_e(reason)}</td></tr>"
        )
    return (
        '<table class="overview"><thead><tr><th>verdict</th><th>scenario</th><th>title</th>'
        "<th>most specific reason</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _calls(record: dict[str, Any]) -> str:
    exchanges = record.get("exchanges") or []
    if not exchanges:
        return '<p class="muted">The partner made no call to the fakes.</p>'
    rows = []
    for x in exchanges:
        operation = x.get("operation") or f"{x.get('vendor')} (unknown route)"
        query = ", ".join(f"{k}={v}" for k, v in (x.get("query") or {}).items())
        rows.append(
            f"<tr><td>{_e(x.get('seq'))}</td><td><code>{_e(operation)}</code></td>"
            f"<td><code>{_e(x.get('method'))} {_e(x.get('path'))}</code>"
            + (f'<br><span class="muted">{_e(query)}</span>' if query else "")
            + (
                f'<br><span class="muted">body: {_e(_compact(x["request_body"]))}</span>'
                if x.get("request_body")
                else ""
            )
            + f"</td><td>{_e(x.get('status'))}"
            + (f'<br><span class="muted">{_e(x["response_body"])}</span>' if x.get("response_body") else "")
            + f"</td><td>{_e(x.get('fault') or '')}</td>"
            f"<td>{'<br>'.join(_e(v) for v in x.get('violations') or [])}</td></tr>"
        )
    return (
        '<table class="calls"><thead><tr><th>#</th><th>operation</th><th>request</th><th>status</th>'
        "<th>armed fault</th><th>violations</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _compact(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _violations(record: dict[str, Any]) -> str:
    violations = record.get("violations") or []
    if not violations:
        return '<p class="muted">Every request obeyed the vendor contract.</p>'
    items = []
    for v in violations:
        note = " <span class='muted'>(expected in this scenario)</span>" if v.get("allowed") else ""
        items.append(f"<li><code>{_e(v['label'])}</code> <span class='muted'>{_e(v.get('message'))}</span>{note}</li>")
    return '<ul class="violations">' + "".join(items) + "</ul>"


def _partner(record: dict[str, Any]) -> str:
    partner = record.get("partner") or {}
    facts = [f"exit status {_e(partner.get('exit_status'))}", f"{_e(partner.get('seconds'))} s"]
    if partner.get("timed_out"):
        facts.append("timed out")
    if partner.get("start_error"):
        facts.append(f"could not start: {_e(partner['start_error'])}")
    verdict = partner.get("outcome") or "none"
    parts = [f"<p>Partner verdict: <strong>{_e(verdict)}</strong> ({', '.join(facts)})</p>"]
    if partner.get("result") is not None:
        parts.append(f"<p>Result file: <code>{_e(json.dumps(partner['result'], sort_keys=True))}</code></p>")
    if partner.get("result_problem"):
        parts.append(f"<p>Result file problem: {_e(partner['result_problem'])}</p>")
    for stream in ("stdout", "stderr"):
        text = partner.get(stream) or ""
        body = f"<pre>{_e(text)}</pre>" if text.strip() else '<p class="muted">(empty)</p>'
        parts.append(f"<h3>{stream}</h3>{body}")
    return "".join(parts)


def _webhooks(record: dict[str, Any]) -> str:
    deliveries = record.get("webhooks")
    if deliveries is None:
        return ""
    if not deliveries:
        return '<h3>Webhooks</h3><p class="muted">No webhook was delivered in this scenario.</p>'
    rows = "".join(
        f"<tr><td>{_e(d['vendor'])} <code>{_e(d['event'])}</code></td><td>{_e(d['kind'])}</td>"
        f"<td>{_e(d['expected'])}</td><td>{_e(d['got'])}</td>"
        f"<td>{_e(', '.join('no answer' if s is None else str(s) for s in d['statuses']))}</td>"
        f"<td>{_e(d.get('reason') or d.get('note') or '')}</td></tr>"
        for d in deliveries
    )
    return (
        "<h3>Webhooks</h3><table><tr><th>delivery</th><th>kind</th><th>expected</th><th>your endpoint</th>"
        f"<th>answers</th><th></th></tr>{rows}</table>"
    )


def _scenario(record: dict[str, Any]) -> str:
    expected = record.get("expected") or {}
    expectation = f"expected outcome: <strong>{_e(expected.get('outcome'))}</strong>"
    if expected.get("reference_error"):
        expectation += (
            f" (the reference client reports <code>{_e(expected['reference_error'])}</code>; not judged for partners)"
        )
    if expected.get("calls") is not None:
        expectation += f"; calls, in order: <code>{_e(', '.join(expected['calls']) or '(none)')}</code>"
    if expected.get("forbidden"):
        expectation += f"; never: <code>{_e(', '.join(expected['forbidden']))}</code>"
    tags = "".join(f'<span class="tag">{_e(t)}</span>' for t in record.get("tags") or [])
    reasons = (
        '<ul class="reasons">' + "".join(f"<li>{_e(r)}</li>" for r in record["reasons"]) + "</ul>"
        if record["reasons"]
        else '<p class="muted">Passed: every expectation held.</p>'
    )
    guide = ""
    if record.get("troubleshooting"):
        guide = (
            f'<p>Vendor guide, troubleshooting: <a href="{_e(record.get("troubleshooting_url"))}">'
            f"{_e(record['troubleshooting'])}</a></p>"
        )
    opened = " open" if record["verdict"] != "pass" else ""
    return (
        f'<details class="scenario {_e(record["verdict"])}" id="{_anchor(record["id"])}"{opened}>'
        f'<summary><span class="badge {_e(record["verdict"])}">{_e(record["verdict"].upper())}</span> '
        f'{_e(record["id"])} <span class="title">{_e(record["title"])}</span></summary>'
        f"<p>{_e(record.get('description'))}</p><p>{tags}</p><p>{expectation}</p>{guide}"
        f"<h3>Reasons</h3>{reasons}<h3>Contract violations</h3>{_violations(record)}"
        f"<h3>Calls the fakes saw</h3>{_calls(record)}{_webhooks(record)}<h3>Partner</h3>{_partner(record)}</details>"
    )


def _causes(causes: Sequence[dict[str, Any]]) -> str:
    if not causes:
        return ""
    items = []
    for entry in causes:
        links = ", ".join(f'<a href="#{_anchor(i)}">{_e(i)}</a>' for i in entry["scenarios"])
        count = entry["count"]
        guide = ""
        if entry.get("troubleshooting"):
            guide = (
                f'<br><span class="muted">guide, troubleshooting:</span> <a href="{_e(TROUBLESHOOTING_URL)}">'
                f"{_e(entry['troubleshooting'])}</a>"
            )
        guidance = f'<br><span class="muted">{_e(entry["guidance"])}</span>' if entry.get("guidance") else ""
        items.append(
            f'<li><span class="reason">{_e(entry["reason"])}</span><br>broke {count} '
            f"scenario{'s' if count != 1 else ''}: {links}{guidance}{guide}</li>"
        )
    return (
        '<section class="causes"><h2>What broke, most scenarios first (fix the first one first)</h2><ol>'
        + "".join(items)
        + "</ol></section>"
    )


def render_html(records: Sequence[dict[str, Any]], meta: dict[str, Any], causes: Sequence[dict[str, Any]] = ()) -> str:
    passed = sum(r["verdict"] == "pass" for r in records)
    failed = len(records) - passed
    info = " · ".join(f"{_e(k)}: <code>{_e(v)}</code>" for k, v in meta.items() if v not in (None, ""))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>signup-harness verify: {passed} passed, {failed} failed</title><style>{CSS}</style></head><body>"
        "<h1>Embedded Signup partner verification</h1>"
        f'<p class="meta">{info}</p>'
        f'<p class="summary"><span class="pass">{passed} passed</span>, '
        f'<span class="{"fail" if failed else "pass"}">{failed} failed</span></p>'
        + _causes(causes)
        + _overview(records)
        + "".join(_scenario(r) for r in records)
        + "</body></html>\n"
    )


def write_html(
    records: Sequence[dict[str, Any]], path: Path, meta: dict[str, Any], causes: Sequence[dict[str, Any]] = ()
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(records, meta, causes), encoding="utf-8")
