"""ForgatherLab is configured the Jupyter way."""

from __future__ import annotations

import pytest
from traitlets import TraitError
from traitlets.config import Config

from forgather_lab.app import ForgatherLab


def test_command_line_flags_set_traits(tmp_path) -> None:
    app = ForgatherLab()
    app.parse_command_line(
        [
            f"--ForgatherLab.state_dir={tmp_path}",
            "--ForgatherLab.gpu_backend=simulated",
            "--ForgatherLab.simulated_gpus=2",
            "--ForgatherLab.scheduler_enabled=False",
        ]
    )
    assert app.state_dir == str(tmp_path)
    assert app.gpu_backend == "simulated"
    assert app.simulated_gpus == 2
    assert app.scheduler_enabled is False


def test_config_object_sets_traits() -> None:
    c = Config()
    c.ForgatherLab.search_roots = ["projects", "/data/runs"]
    app = ForgatherLab(config=c)
    assert app.search_roots == ["projects", "/data/runs"]


def test_state_dir_defaults_under_jupyter_data_dir() -> None:
    from jupyter_core.paths import jupyter_data_dir

    assert ForgatherLab().state_dir.startswith(jupyter_data_dir())


@pytest.mark.parametrize(
    ("trait", "value"), [("gpu_backend", "cuda"), ("simulated_gpus", 65), ("simulated_gpus", -1)]
)
def test_bad_values_are_refused(trait: str, value: object) -> None:
    with pytest.raises(TraitError):
        setattr(ForgatherLab(), trait, value)
