"""The collections of the world that must stay fast at any size: codes by expiry, registrations by WABA and
newest first, each lookup and page constant-time with 10 or 100,000 entries."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, overload

from .records import AuthCode, Registration

T = TypeVar("T")


class CodeBook(dict[str, AuthCode]):
    """Authorization codes by value, with a heap of their expiry times, so the expired ones can go one by one
    (`expired`) without scanning the live ones."""

    def __init__(self, *args: Any) -> None:
        self._expiry: list[tuple[float, str]] = []
        super().__init__(*args)
        for code in self.values():
            heapq.heappush(self._expiry, (code.issued_at + code.ttl, code.value))

    def __setitem__(self, key: str, value: AuthCode) -> None:
        super().__setitem__(key, value)
        heapq.heappush(self._expiry, (value.issued_at + value.ttl, key))

    def clear(self) -> None:
        super().clear()
        self._expiry.clear()

    def pop_expired(self, now: float) -> str | None:
        """Remove and return one code that has expired by `now` (None: none has). A code whose time-to-live was
        changed after it was stored is checked again, and put back if it still lives."""
        while self._expiry and self._expiry[0][0] < now:
            _, value = heapq.heappop(self._expiry)
            code = self.get(value)
            if code is None:
                continue
            ends = code.issued_at + code.ttl
            if now > ends:
                del self[value]
                return value
            heapq.heappush(self._expiry, (ends, value))
        return None


class RegistrationBook(dict[str, Registration]):
    """Registrations by Telnyx id in creation order, indexed by WABA: lookups and a page of the newest-first
    listing cost the same with 10 or 100,000 registrations."""

    def __init__(self, *args: Any) -> None:
        self.by_waba: dict[str, str] = {}
        super().__init__(*args)
        self.by_waba.update((r.waba_id, r.id) for r in self.values())

    def __setitem__(self, key: str, value: Registration) -> None:
        super().__setitem__(key, value)
        self.by_waba[value.waba_id] = key

    def __delitem__(self, key: str) -> None:
        registration = self[key]
        super().__delitem__(key)
        if self.by_waba.get(registration.waba_id) == key:
            del self.by_waba[registration.waba_id]

    def pop(self, key: str, *default: Any) -> Any:  # type: ignore[override]
        if key in self:
            registration = self[key]
            del self[key]
            return registration
        return default[0] if default else super().pop(key)

    def clear(self) -> None:
        super().clear()
        self.by_waba.clear()

    def for_waba(self, waba_id: str) -> Registration | None:
        found = self.by_waba.get(waba_id)
        return self[found] if found is not None else None

    def newest_first(self, build: Callable[[Registration], T]) -> NewestFirst[T]:
        """The registrations newest first (creation order: the world's clock never runs back), built lazily."""
        return NewestFirst(self, build)


class NewestFirst(Sequence[T]):
    """A read-only view that builds only the items a page slices out of it."""

    def __init__(self, book: RegistrationBook, build: Callable[[Registration], T]) -> None:
        self.book, self.build = book, build

    def __len__(self) -> int:
        return len(self.book)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self.book))
            picked = itertools.islice(reversed(self.book.values()), start, stop, step)
            return [self.build(r) for r in picked]
        if index < 0:
            index += len(self.book)
        if not 0 <= index < len(self.book):
            raise IndexError(index)
        return self.build(next(itertools.islice(reversed(self.book.values()), index, None)))

    def __iter__(self) -> Iterator[T]:
        return (self.build(r) for r in reversed(self.book.values()))
