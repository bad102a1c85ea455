"""The subject-access tests' world: see ``access_support``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.privacy.subject_access.access_support import build_world


@pytest.fixture
def world(app: Any, make_member: Any, make_series: Any) -> dict[str, int]:
    return build_world(app, make_member, make_series)
