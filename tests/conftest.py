"""Fixtures every test module may use; the plain helpers and constants they build on are in `vaultkit.py`.

Besides the fixtures, this file makes the suite hermetic: vaultnet reads `VAULTNET_*` variables (the day, and in
time the vault), and a developer's shell may set them. No test must see them unless it sets them itself, or a
command run without a vault could read or write the developer's own notes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vaultkit import copy_sample, hide_vaultnet_environment


@pytest.fixture(autouse=True)
def _no_vaultnet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs without the outer environment's `VAULTNET_*` variables (restored after it)."""
    hide_vaultnet_environment(monkeypatch)


@pytest.fixture
def sample_vault(tmp_path: Path) -> Path:
    """A copy of the sample vault (tests/data/sample-vault) at `tmp_path/vault`, every file at `MTIME`."""
    return copy_sample(tmp_path / "vault")
