"""What keeps start-up short must not change what the fakes do: specs compiled per operation on first use, the
parsed spec documents kept by content, URL builders compiled on first use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import url_for

from fakes.core import openapi
from fakes.core.openapi import CompiledSpec, load_document
from fakes.core.resources import spec_path
from fakes.harness import Harness


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(openapi.CACHE_DIR_ENV, str(tmp_path))
    return tmp_path


def test_a_spec_document_is_kept_by_content_and_read_back_the_same(cache_dir: Path) -> None:
    first = load_document(spec_path("telnyx"))
    kept = list(cache_dir.rglob("telnyx-*.json"))
    assert len(kept) == 1
    assert json.loads(kept[0].read_text()) == first
    assert load_document(spec_path("telnyx")) == first


def test_a_changed_spec_is_parsed_again(cache_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "mini.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: a, version: '1'}\npaths: {}\n")
    assert load_document(spec)["info"]["title"] == "a"
    spec.write_text("openapi: 3.1.0\ninfo: {title: b, version: '1'}\npaths: {}\n")
    assert load_document(spec)["info"]["title"] == "b"
    assert len(list(cache_dir.rglob("mini-*.json"))) == 2


def test_a_broken_kept_copy_falls_back_to_the_yaml(cache_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "mini.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: a, version: '1'}\npaths: {}\n")
    load_document(spec)
    (kept,) = cache_dir.rglob("mini-*.json")
    kept.write_text('{"cut sho')
    assert load_document(spec)["info"]["title"] == "a"


def test_a_document_json_would_change_is_not_kept(cache_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "intkeys.yaml"
    spec.write_text("responses:\n  200: {description: ok}\nwhen: 2026-01-01\n")
    document = load_document(spec)
    assert 200 in document["responses"]
    assert not list(cache_dir.rglob("intkeys-*.json"))


def test_an_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(openapi.CACHE_DIR_ENV, str(blocker))
    assert load_document(spec_path("admin"))["openapi"].startswith("3.1")


def test_operations_are_compiled_on_first_use_and_membership_compiles_none() -> None:
    spec = CompiledSpec(load_document(spec_path("telnyx")), "telnyx")
    assert "registerTechProvider" in spec.operations and "nope" not in spec.operations
    assert not spec._compiled
    operation = spec.operations["registerTechProvider"]
    assert operation.method == "POST" and operation.path.endswith("/tech_provider")
    assert list(spec._compiled) == ["registerTechProvider"]
    assert spec.operations["registerTechProvider"] is operation
    assert len(spec.operations) == len(list(spec.operations)) == len(dict(spec.operations.items()))
    with pytest.raises(KeyError):
        spec.operations["nope"]


def test_url_builders_compiled_on_first_use_still_build() -> None:
    harness = Harness()
    with harness.telnyx_app.test_request_context("/"):
        assert url_for("admin.getReady") == "/__admin/ready"
        assert url_for("getWaba", id="abc", page=2) == "/v2/whatsapp/business_accounts/abc?page=2"
    with harness.graph_app.test_request_context("/"):
        assert url_for("getNode", version="v21.0", node_id="123") == "/v21.0/123"


def test_the_webhook_public_key_without_cryptography_is_the_signing_keys() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from fakes.core import ed25519

    for seed in [bytes(32), bytes(range(32)), *(bytes([n]) * 32 for n in (1, 7, 255))]:
        expected = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        assert ed25519.public_key(seed) == expected
    harness = Harness(seed=11)
    printed = harness.telnyx_public_key  # before any signature: derived in plain Python
    from fakes.telnyx.webhooks import _private_key

    _private_key(harness.world)  # the signing key, from cryptography
    assert harness.telnyx_public_key == printed


def test_the_demo_world_is_kept_parsed_and_a_start_without_seed_documents_never_imports_yaml(cache_dir: Path) -> None:
    import os
    import subprocess
    import sys

    from fakes.core.control import DEMO_WORLD

    start = (
        "import sys; from fakes.harness import Harness; import harness.serve; h = Harness(); seeded = h.seed_demo();"
        "print(len(seeded['apps']), 'yaml' in sys.modules)"
    )
    env = {**os.environ, openapi.CACHE_DIR_ENV: str(cache_dir)}
    runs = [subprocess.run([sys.executable, "-c", start], capture_output=True, text=True, env=env) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr
    first, second = (run.stdout.split() for run in runs)
    assert first[0] == second[0] != "0"  # the same demo world both times
    assert second[1] == "False"  # read back from the kept copy: no YAML parser loaded
    assert list((cache_dir / "signup-harness" / "specs").glob(f"{DEMO_WORLD.stem}-*.json"))
