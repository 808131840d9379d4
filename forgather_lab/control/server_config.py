"""The Jupyter server's config file, for the Lab's "Open Server Config" command.

One file only: ``jupyter_server_config.py`` in the user's Jupyter config
directory (``jupyter --config-dir``). ``ensure`` creates it from a commented
template listing every ``c.ForgatherLab.*`` setting with its help and
default (never overwriting what is there); ``read`` / ``write`` let the Lab
edit it when JupyterLab cannot open it itself (it is usually outside the
server's root_dir, or in the hidden ``~/.jupyter``). Writes are text
(UTF-8, no NUL), atomic, and keep the file's mode.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from traitlets import TraitType

from ..errors import BadRequest, NotFound
from ..models.external import DescribeServerConfig, ServerConfigContent
from ..settings import ForgatherLabSettings, setting_names

FILENAME = "jupyter_server_config.py"
MAX_BYTES = 1_048_576


def template() -> str:
    """The commented template: every Forgather Lab setting, its help and default."""
    traits = ForgatherLabSettings.class_traits(config=True)
    lines = [
        "# Configuration of this user's Jupyter server (created by Forgather Lab's",
        '# "Open Server Config"). Python; it takes effect when the server restarts.',
        "# Uncomment a line to change a setting; see Forgather Lab's docs/settings.md.",
        "",
        "c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file",
        "",
    ]
    for name in setting_names():
        trait = traits[name]
        lines += [
            f"#   {line}" for line in textwrap.wrap(trait.help or "", 76)
        ]  # fmt: skip
        lines += [f"# c.ForgatherLab.{name} = {_default(trait)}", ""]
    return "\n".join(lines)


def _default(trait: TraitType[Any, Any]) -> str:
    try:
        return str(trait.default_value_repr())
    except AssertionError:  # a Type() trait whose default is None asserts instead of saying so
        return "None"


class ServerConfig:
    """``<config_dir>/jupyter_server_config.py``, seen from a server rooted at ``root_dir``."""

    def __init__(self, config_dir: Path, root_dir: Path) -> None:
        self.path = config_dir / FILENAME
        self.root_dir = root_dir

    def ensure(self) -> DescribeServerConfig:
        """Where the file is; created from the template first if there is none (sync)."""
        created = False
        if not os.path.lexists(self.path):
            text = template()  # before the file exists: a failure leaves no empty file
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # created a moment ago by another request: keep it
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                created = True
        return self._describe(created)

    def read(self) -> ServerConfigContent:
        """The file's text; 404 while it does not exist (``ensure`` creates it)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise NotFound(
                f"{self.path} does not exist yet (POST /server-config creates it)"
            ) from None
        if len(data) > MAX_BYTES:
            raise BadRequest(f"{self.path} is over {MAX_BYTES} bytes: edit it in a terminal")
        return ServerConfigContent(path=str(self.path), content=data.decode("utf-8", "replace"))

    def write(self, content: str) -> DescribeServerConfig:
        """Replace the file's text atomically, keeping its mode (sync)."""
        if "\x00" in content:
            raise BadRequest("The config file must be text: it holds a NUL character")
        try:
            data = content.encode("utf-8")
        except UnicodeEncodeError as e:
            raise BadRequest(f"The config file must be UTF-8 text: {e}") from e
        if len(data) > MAX_BYTES:
            raise BadRequest(f"The config file may hold at most {MAX_BYTES} bytes")
        self.ensure()
        mode = self.path.stat().st_mode & 0o777
        target = os.path.realpath(self.path)  # a symlinked config stays a symlink
        fd, tmp = tempfile.mkstemp(prefix=f".{FILENAME}.", dir=os.path.dirname(target))
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)  # gone already once replaced
        return self._describe(False)

    def _describe(self, created: bool) -> DescribeServerConfig:
        return DescribeServerConfig(
            path=str(self.path),
            lab_path=self._lab_path(),
            created=created,
            size=self.path.stat().st_size,
        )

    def _lab_path(self) -> str | None:
        """The path JupyterLab's contents API opens, if it can (under root_dir, not hidden)."""
        try:
            relative = Path(os.path.realpath(self.path)).relative_to(
                Path(os.path.realpath(self.root_dir))
            )
        except ValueError:
            return None
        if any(part.startswith(".") for part in relative.parts):
            return None
        return relative.as_posix()


__all__ = ["FILENAME", "ServerConfig", "template"]
