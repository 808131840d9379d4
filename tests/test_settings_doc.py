"""docs/settings.md lists every ForgatherLab setting (and nothing that is gone)."""

from __future__ import annotations

import re
from pathlib import Path

from forgather_lab.app import ForgatherLab
from forgather_lab.settings import ForgatherLabSettings, setting_names

DOC = Path(__file__).parent.parent / "docs" / "settings.md"


def test_every_trait_is_documented() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \|", DOC.read_text(), flags=re.MULTILINE))
    traits = set(setting_names())
    assert traits - documented == set(), "add these to docs/settings.md"
    assert documented - traits == set(), "these are documented but no longer exist"


def test_the_extension_declares_no_setting_of_its_own() -> None:
    # One source: every setting lives on ForgatherLabSettings, the extension inherits it.
    assert set(ForgatherLab.class_own_traits(config=True)) == set()
    assert issubclass(ForgatherLab, ForgatherLabSettings)
