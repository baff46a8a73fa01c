"""YAML documents of our own (the specs, the demo world), parsed once per content and kept as JSON.

Parsing YAML is most of what a start costs (libyaml still builds every node in Python), so the parsed document
is kept as JSON in the user's cache directory (SIGNUP_HARNESS_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, then
`signup-harness/specs/`), under the hash of the YAML bytes: the next process reads that instead, and a changed
file is parsed again. A document JSON cannot say exactly (integer keys, dates) is not kept, and an unwritable
cache is no error. Not for documents from users (seeds, scenarios): those keep their own loaders and checks.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "SIGNUP_HARNESS_CACHE_DIR"  # where parsed documents are kept (default: the XDG cache)


def load_document(path: Path) -> dict[str, Any]:
    """A document of ours: the parsed copy kept for these exact YAML bytes if there is one, else YAML (then kept)."""
    data = path.read_bytes()
    kept = _kept_copy(path, data)
    if kept is not None:
        try:
            return json.loads(kept.read_bytes())  # type: ignore[no-any-return]
        except (OSError, ValueError):
            pass  # not there yet, or cut short: parse the YAML
    import yaml  # only when a document is parsed: most starts read the kept copy

    try:  # libyaml when present
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import SafeLoader as Loader  # type: ignore[assignment]
    document: dict[str, Any] = yaml.load(data, Loader=Loader)  # noqa: S506 - a safe loader
    if kept is not None:
        _keep(kept, document)
    return document


def _kept_copy(path: Path, data: bytes) -> Path | None:
    root = os.environ.get(CACHE_DIR_ENV) or os.environ.get("XDG_CACHE_HOME")
    try:
        base = Path(root) if root else Path.home() / ".cache"
    except RuntimeError:  # no home directory: nothing is kept
        return None
    digest = hashlib.sha256(data).hexdigest()[:32]
    return base / "signup-harness" / "specs" / f"{path.stem}-{digest}.json"


def _keep(kept: Path, document: Any) -> None:
    """Write the parsed document as JSON, only if JSON gives it back exactly; any failure is silent."""
    try:
        text = json.dumps(document, separators=(",", ":"))
        if json.loads(text) != document:  # integer keys, tuples: JSON would change them
            return
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f"{kept.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_text(text)
        os.replace(partial, kept)  # whole or not at all, whoever writes it at the same time
    except (OSError, TypeError, ValueError):  # unwritable, or values JSON cannot say (dates)
        return
