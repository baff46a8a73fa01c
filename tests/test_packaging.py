"""The wheel works outside the checkout: specs and scenarios are bundled, `Harness` runs, the CLI starts.

Builds the wheel, installs it (without dependencies, no index) into a fresh venv whose only other import path is
this interpreter's site-packages (for Flask & co.; `.pth` files there, such as an editable install of this very
project, are not processed), then imports and runs it from a directory outside the checkout.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

SMOKE = r"""
import json
import fakes
from fakes.core.resources import scenarios_dir, specs_dir
from fakes.harness import Harness

h = Harness(check_responses=True)
h.seed_demo()
session = h.session()
signup = h.complete_signup(app_id="100000000000001")
exchanged = session.get(
    f"{h.graph_url}/v19.0/oauth/access_token",
    params={"client_id": "100000000000001", "client_secret": "local-app-secret-not-real", "code": signup["code"]},
)
registered = session.post(
    f"{h.telnyx_url}/whatsapp/business_accounts/tech_provider",
    json={"waba_id": signup["waba_id"], "phone_number_id": signup["phone_number_id"], "app_id": "100000000000001"},
    headers={"Authorization": "Bearer KEYLOCALTEST0001_notarealtelnyxkey"},
)
print(json.dumps({
    "fakes": fakes.__file__,
    "specs": str(specs_dir()),
    "spec_files": sorted(p.name for p in specs_dir().iterdir()),
    "scenarios": str(scenarios_dir()),
    "exchange": exchanged.status_code,
    "register": registered.status_code,
    "violations": [e["response_violations"] for e in h.journal() if e["response_violations"]],
}))
"""


def run(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    dist, env, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", dist, ROOT, cwd=tmp_path)
    [wheel] = dist.glob("whatsapp_signup_harness-*.whl")

    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=elsewhere).stdout.strip()
    )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")

    report = json.loads(run(python, "-c", SMOKE, cwd=elsewhere).stdout)
    assert Path(report["fakes"]).is_relative_to(site), report["fakes"]
    assert Path(report["specs"]) == site / "fakes" / "_bundled" / "specs"
    assert report["spec_files"] == ["admin.yaml", "graph.yaml", "telnyx.yaml"]
    assert Path(report["scenarios"]) == site / "fakes" / "_bundled" / "scenarios"
    assert (report["exchange"], report["register"], report["violations"]) == (200, 200, [])

    help_text = run(env / "bin" / "signup-harness", "serve", "--help", cwd=elsewhere).stdout
    assert "--graph-port" in help_text and "--allow-remote" in help_text
