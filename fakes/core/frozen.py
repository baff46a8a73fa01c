"""One shared, read-only empty mapping for records that rarely hold one (a WABA's subscription overrides, a
session's per-stage times): each such record then costs a pointer, not an empty dict of its own.

Unlike `types.MappingProxyType`, it survives `copy.deepcopy` (the control plane's seed rollback copies the world)
and pickling, as itself. A record that needs entries replaces it with a dict of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NoReturn


class _EmptyMapping(Mapping[str, Any]):
    __slots__ = ()

    def __getitem__(self, key: str) -> NoReturn:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __copy__(self) -> _EmptyMapping:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _EmptyMapping:
        return self

    def __reduce__(self) -> str:
        return "EMPTY"

    def __repr__(self) -> str:
        return "EMPTY"


EMPTY: Mapping[str, Any] = _EmptyMapping()
