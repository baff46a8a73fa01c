"""Every Python example in docs/pytest-plugin.md runs, and passes, as a test module of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "pytest-plugin.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(pytester, index):
    source = BLOCKS[index]
    tests = re.findall(r"^def (test_\w+)", source, flags=re.M)
    assert tests, f"example {index} defines no test"
    pytester.makepyfile(**{f"test_doc_example_{index}": source})
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=len(tests))
