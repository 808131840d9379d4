"""The server's package listing is cached, and a newly installed package still shows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from forgather_lab.runs.provenance import server_packages


def test_listing_follows_an_install_into_a_path_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    before = {p.name for p in server_packages()}
    assert "fgl-probe-pkg" not in before
    assert {p.name for p in server_packages()} == before  # cached: same answer

    # What pip does: a new dist-info directory in a sys.path entry.
    dist = site / "fgl_probe_pkg-1.2.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fgl-probe-pkg\nVersion: 1.2.3\n")
    after = {p.name: p.version for p in server_packages()}
    assert after.get("fgl-probe-pkg") == "1.2.3"
