"""The benchmarks are run by hand (``make bench``, ``make bench-assign``, ``make bench-deliver``),
not by the suite: these checks only make sure a refactor elsewhere has not broken them."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def bench_modules():
    """Every module under ``bench/`` by its dotted name (``__main__`` files run the benchmark)."""
    for path in sorted(BENCH.rglob("*.py")):
        if path.name != "__main__.py":
            yield ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_every_bench_module_imports():
    # Its own process: the modules build apps and read the environment at import time.
    # naive_app connects on first use only, so nothing needs to listen at these URLs.
    environment = {**os.environ, "DATABASE_URL": "sqlite://", "REDIS_URL": "redis://127.0.0.1:9/0"}
    modules = list(bench_modules())
    assert {"bench.common.loadgen", "bench.workflows.run", "bench.assign.run", "bench.deliver.run"} <= set(modules)
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    run = subprocess.run([sys.executable, "-c", script, *modules], cwd=ROOT, env=environment,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_the_make_targets_run_modules_that_exist_and_run_something():
    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^(bench[\w-]*):", makefile, re.M)
    assert set(targets) >= {"bench", "bench-assign", "bench-deliver"}
    for module in re.findall(r"-m (bench[\w.]*)", makefile):
        path = ROOT / module.replace(".", "/")
        if (path / "__main__.py").is_file():
            continue
        # A module run with -m does nothing without its main guard (and still exits 0).
        assert 'if __name__ == "__main__":' in path.with_suffix(".py").read_text(), module
