"""Running a benchmark as its make target does, at a tiny size, for the
benchmark tests: the report it prints and the figures it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *command: str) -> tuple[str, dict[str, Any]]:
    """The command's report and the figures it wrote to JSON."""
    report, _log, figures = run_logged(tmp_path, *command)
    return report, figures


def run_logged(tmp_path: Path, *command: str) -> tuple[str, str, dict[str, Any]]:
    """The command's report, what it logged, and the figures it wrote to JSON."""
    env = {k: v for k, v in os.environ.items() if k != "NOTESBASE_BENCH_DATABASE_URL"}
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, *command, "--json", str(figures)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(figures.read_text("utf-8"))
    figures_by_name = {name: entry["value"] for name, entry in document["figures"].items()}
    return done.stdout, done.stderr, figures_by_name
