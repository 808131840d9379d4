"""docs/settings.md lists every ForgatherLab setting (and nothing that is gone)."""

from __future__ import annotations

import re
from pathlib import Path

from forgather_lab.app import ForgatherLab

DOC = Path(__file__).parent.parent / "docs" / "settings.md"


def test_every_trait_is_documented() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \|", DOC.read_text(), flags=re.MULTILINE))
    traits = set(ForgatherLab.class_own_traits(config=True))
    assert traits - documented == set(), "add these to docs/settings.md"
    assert documented - traits == set(), "these are documented but no longer exist"
