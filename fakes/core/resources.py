"""Find specs/ and scenarios/ in a source checkout or inside an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # fakes/


def _data_dir(name: str) -> Path:
    bundled = _PACKAGE / "_bundled" / name  # where the wheel puts them (pyproject force-include)
    if bundled.is_dir():
        return bundled
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"cannot find the {name}/ directory (looked in {bundled} and {checkout})")


def specs_dir() -> Path:
    return _data_dir("specs")


def scenarios_dir() -> Path:
    return _data_dir("scenarios")


def spec_path(vendor: str) -> Path:
    return specs_dir() / f"{vendor}.yaml"
