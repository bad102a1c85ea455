"""The live server keeps the OpenAPI contract. schemathesis (its CLI, in a
subprocess with a timeout) fetches the document from a live server on
loopback and runs every operation with an admin's token through its coverage
phase: boundary values, wrong types, missing and unknown fields, derived from
the document and its examples, so the run is the same every time (the
examples themselves, for every kind of caller, are in test_contract_callers).
It must find no 5xx, no status, content type, header or body outside the
document, and no request that the document calls invalid accepted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.api_contract.contract_support import LIVE_CONFIG, live_server, seed

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
# Kept short: no probing of methods the document does not list (405 is the
# API's plain answer); for operations without a body (reads and deletes) only
# the invalid variants: their valid ones differ only in the ids in the path,
# mostly misses, and the documented examples are sent by test_contract_callers
# as every kind of caller.
CONFIG = """
[phases.coverage]
unexpected-methods = []

[[operations]]
include-method = ["GET", "DELETE"]
generation.mode = "negative"
"""
TIMEOUT = 240


@pytest.fixture
def app_config() -> dict[str, Any]:
    return dict(LIVE_CONFIG)


def run_schemathesis(base_url: str, token: str, folder: Path) -> subprocess.CompletedProcess[str]:
    (folder / "schemathesis.toml").write_text(CONFIG)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base_url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "coverage",
        "--generation-deterministic",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--continue-on-failure",
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=folder,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        check=False,
    )


def test_live_server_keeps_the_contract(app, make_member, make_series, tmp_path):
    """No 5xx and nothing outside the document, on this test's database."""
    world = seed(app, make_member, make_series)
    with live_server(app) as base_url:
        run = run_schemathesis(base_url, world.tokens["admin"], tmp_path)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-30000:]
    selected = re.search(r"Operations:\s+(\d+) selected / (\d+) total", report)
    assert selected is not None and selected[1] == selected[2], report[:2000]
