"""Lifecycles as data: which stage follows which, how long each takes on the world's clock, what each does.

A vendor describes a lifecycle once (a `Lifecycle` of `Stage`s) and keeps one `Progress` per resource. `advance`
moves a resource through every stage whose time has come: each stage's action runs when the stage ends, and an
action that returns errors stops the resource there (FAILURE at that stage). A scenario can make any stage fail by
name (`Progress.fail_at`), with the errors it chooses, without the vendor writing a special case.

Vendor-neutral: the stages' names, times and actions come from the vendor (for example Telnyx's signup session in
`fakes/telnyx/signup_sessions.py`); this module only runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .frozen import EMPTY

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
# What most resources have: no per-stage times of their own (one shared, read-only mapping, not one dict each).
NO_SECONDS: Mapping[str, float] = EMPTY

# What a stage's action gets (the resource) and returns: None to move on, or the errors that stop it there.
Action = Callable[[object], list[str] | None]


@dataclass(frozen=True)
class Stage:
    """One stage of a lifecycle: its name, how long it takes, and what it does when it ends."""

    name: str
    seconds: float  # how long the stage takes on the world's clock before its action runs
    action: Action | None = None
    skip: Callable[[object], bool] | None = None  # a stage some resources do not go through


@dataclass(frozen=True)
class Lifecycle:
    """The stages a resource goes through, in order, and the name reported once all are done."""

    name: str
    stages: Sequence[Stage]
    final: str  # the name reported once every stage is done

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def names(self) -> list[str]:
        return [stage.name for stage in self.stages] + [self.final]


@dataclass(slots=True)
class Progress:
    """Where one resource is: the stage it is in, since when, and how it ended."""

    stage: str
    entered_at: float
    outcome: str = RUNNING
    errors: tuple[str, ...] = ()
    # A scenario's choice: fail this stage (by name) with these errors instead of running its action.
    fail_at: str | None = None
    fail_errors: tuple[str, ...] = ()
    # Per-stage times overriding the lifecycle's.
    seconds: Mapping[str, float] = field(default_factory=lambda: NO_SECONDS)

    @property
    def done(self) -> bool:
        return self.outcome != RUNNING

    def due_at(self, lifecycle: Lifecycle) -> float | None:
        """When the current stage ends (None once done)."""
        if self.done:
            return None
        return self.entered_at + self.seconds.get(self.stage, lifecycle.stage(self.stage).seconds)


def start(lifecycle: Lifecycle, resource: object, now: float, **options: object) -> Progress:
    progress = Progress(stage=lifecycle.stages[0].name, entered_at=now, **options)  # type: ignore[arg-type]
    _skip_ahead(lifecycle, progress, resource)
    return progress


def advance(lifecycle: Lifecycle, progress: Progress, resource: object, now: float) -> list[str]:
    """Run every stage whose time has come (a stage ends at its own time, not `now`, so a late call still
    stamps each transition when it happened). Returns the stages entered, the final one included."""
    entered: list[str] = []
    while not progress.done:
        due = progress.due_at(lifecycle)
        if due is None or due > now:
            break
        stage = lifecycle.stage(progress.stage)
        if progress.fail_at == stage.name:
            failure: list[str] | None = list(progress.fail_errors) or [f"{stage.name} failed"]
        else:
            failure = stage.action(resource) if stage.action is not None else None
        if failure:
            progress.outcome, progress.errors = FAILED, tuple(failure)
            progress.entered_at = due
            break
        index = [s.name for s in lifecycle.stages].index(stage.name) + 1
        progress.entered_at = due
        if index >= len(lifecycle.stages):
            progress.stage, progress.outcome = lifecycle.final, SUCCEEDED
        else:
            progress.stage = lifecycle.stages[index].name
            _skip_ahead(lifecycle, progress, resource)
        entered.append(progress.stage)
    return entered


def _skip_ahead(lifecycle: Lifecycle, progress: Progress, resource: object) -> None:
    names = [s.name for s in lifecycle.stages]
    while progress.stage in names:
        stage = lifecycle.stage(progress.stage)
        if stage.skip is None or not stage.skip(resource):
            return
        index = names.index(stage.name) + 1
        if index >= len(names):
            progress.stage, progress.outcome = lifecycle.final, SUCCEEDED
            return
        progress.stage = names[index]
