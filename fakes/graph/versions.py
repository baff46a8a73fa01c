"""Which Graph API versions the fake serves, in one place.

Meta keeps each version for about two years. A call to a version older than the oldest live one is served by the
oldest live version; an unversioned call too; a version newer than the newest is refused. The version that served
the call is reported in the `facebook-api-version` header.
"""

from __future__ import annotations

import re

from . import errors

# The live versions as of this fake's clock (December 2026): v21.0 (October 2024) to v26.0. Change them here.
LIVE_VERSIONS = ("v21.0", "v22.0", "v23.0", "v24.0", "v25.0", "v26.0")
OLDEST, NEWEST = LIVE_VERSIONS[0], LIVE_VERSIONS[-1]
_VERSION = re.compile(r"^v(\d+)\.(\d+)$")


def _key(version: str) -> tuple[int, int]:
    match = _VERSION.match(version)
    if match is None:
        return (0, 0)
    return int(match.group(1)), int(match.group(2))


def serving(requested: str | None) -> str:
    """The version that serves a call to `requested` (None: unversioned). Raises for a future version."""
    if not requested:
        return OLDEST
    if requested in LIVE_VERSIONS:
        return requested
    if _key(requested) > _key(NEWEST):
        raise errors.unknown_version(requested)
    if _key(requested) < _key(OLDEST):
        return OLDEST
    # A version between two live ones that Meta never released (v23.5): the next older live one.
    return max((v for v in LIVE_VERSIONS if _key(v) <= _key(requested)), key=_key)
