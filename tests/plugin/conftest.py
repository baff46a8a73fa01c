"""The plugin's own tests run pytest inside pytest (the `pytester` fixture).

`pytester` is enabled with `-p pytester` in pyproject's addopts rather than `pytest_plugins = ["pytester"]` here:
pytest refuses `pytest_plugins` in a conftest below the rootdir when the run starts from the top (`pytest`), as
the README's test command does.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

# Imported here, in the outer session, so that pytester's inline runs (which drop every module they import when
# they end) reuse them: PyYAML's C loader cannot survive its Python module being imported twice.
import fakes.harness  # noqa: F401
import harness.arming  # noqa: F401
import harness.client  # noqa: F401
import harness.scenarios  # noqa: F401


@pytest.fixture
def run_inner(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Write `source` as a test module and run pytest on it in-process (strict markers, as this repo runs)."""

    def run(source: str, *args: str) -> pytest.RunResult:
        pytester.makepyfile(source)
        return pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", "-ra", *args)

    return run
