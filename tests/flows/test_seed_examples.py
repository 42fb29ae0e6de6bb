"""The seed's cURL, Python (requests) and Node.js (axios) examples, run as written
against a live server, with only the host and the key filled in."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from momoflow.apikeys.services import create_api_key
from momoflow.extensions import db
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "docs" / "seeds" / "000_85d07220839b9ac1.txt"  # a copy of ../shared/seeds, kept identical
EXAMPLES = Path(__file__).with_name("examples")
SEED_URL = "https://api.momoflow.com"


def _example(language):
    """The code block under ``### <language>`` in the seed document."""
    text = SEED.read_text(encoding="utf-8")
    section = text.split(f"### {language}", 1)[1]
    return re.search(r"```\w*\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def api_key(app, committed_demo):
    with app.app_context():
        from momoflow.accounts.services import find_organization

        _, secret = create_api_key(find_organization("demo"), "seed examples")
        db.session.commit()
        db.session.remove()
    return secret


def _filled_in(code, live_server, secret):
    return code.replace(SEED_URL, live_server).replace("YOUR_SECRET_KEY", secret)


def _assigned(output):
    return "Flow assigned successfully" in output and "asgn_" in output


def test_the_copy_of_the_seed_is_current():
    original = ROOT.parent / "shared" / "seeds" / SEED.name
    if original.exists():  # absent in a standalone checkout
        assert SEED.read_bytes() == original.read_bytes(), "docs/seeds is out of date: copy ../shared/seeds again"


def test_curl_example(live_server, api_key):
    need(shutil.which("curl"), "curl is not installed")
    command = _filled_in(_example("cURL"), live_server, api_key)
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert _assigned(result.stdout), result.stdout + result.stderr


def test_python_example(live_server, api_key, tmp_path):
    script = tmp_path / "assign.py"
    script.write_text(_filled_in(_example("Python"), live_server, api_key) + "\nassign_flow()\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and _assigned(result.stdout), result.stdout + result.stderr


def test_node_example(live_server, api_key):
    need(shutil.which("node"), "Node.js is not installed")
    need((EXAMPLES / "node_modules" / "axios").is_dir(),
         "axios is not installed: npm ci --prefix tests/flows/examples (make install does it)")
    script = EXAMPLES / "assign.js"
    script.write_text(_filled_in(_example("Node.js"), live_server, api_key) + "\nassignFlow();\n")
    try:
        result = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=30, cwd=EXAMPLES)
    finally:
        script.unlink()
    assert result.returncode == 0 and _assigned(result.stdout), result.stdout + result.stderr


def test_all_three_examples_share_one_assignment(live_server, api_key, tmp_path):
    """They all send X-Request-ID: req_unique_id with the same body: the first assigns,
    the others get the same answer back instead of a duplicate or an error."""
    need(shutil.which("curl"), "curl is not installed")
    outputs = []
    for _ in range(2):
        command = _filled_in(_example("cURL"), live_server, api_key)
        outputs.append(subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30).stdout)
    ids = {re.search(r'"assignmentId":\s*"(asgn_\w+)"', output).group(1) for output in outputs}
    assert len(ids) == 1
