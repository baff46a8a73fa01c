"""Output files of the command line (`--urls-json` and the like): whole or absent, never half-written, and a
device or pipe named as the output is written to, not replaced."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from harness.cli_support import CliError, write_text


def test_a_file_is_replaced_whole_and_nothing_is_left_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "out" / "urls.json"
    write_text(target, '{"graph": "first"}\n', "--urls-json")
    write_text(target, '{"graph": "second"}\n', "--urls-json")
    assert target.read_text() == '{"graph": "second"}\n'
    assert sorted(p.name for p in target.parent.iterdir()) == ["urls.json"]


def test_a_device_named_as_the_output_is_written_to_not_replaced() -> None:
    devnull = Path("/dev/null")
    if not devnull.exists():
        pytest.skip("no /dev/null here")
    write_text(devnull, "discarded\n", "--urls-json")
    assert stat.S_ISCHR(devnull.stat().st_mode)


def test_an_unwritable_place_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(CliError, match=r"--urls-json .*a-file/urls.json: cannot write it"):
        write_text(blocker / "urls.json", "{}", "--urls-json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
