"""An enqueue form for a project config, generated from its dynamic_args (ipywidgets).

Unlike the live views this one runs in the kernel: it is a form, read once
from the server and submitted through ``Client.enqueue``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..client import Client, ForgatherClientError
from ..models.projects import DynamicArg


def _field(arg: DynamicArg, value: Any) -> w.Widget:
    """The input widget for one dynamic arg of the schema."""
    desc = {"description": arg.name, "tooltip": arg.help or None}
    style = {"description_width": "140px"}
    if arg.choices:
        choices = list(arg.choices)
        return w.Dropdown(
            options=choices, value=value if value in choices else choices[0], style=style, **desc
        )
    kind = arg.type
    if kind == "bool" or arg.action:
        return w.Checkbox(value=bool(value), indent=False, **desc)
    if kind == "int":
        return w.IntText(value=int(value or 0), style=style, **desc)
    if kind == "float":
        return w.FloatText(value=float(value or 0.0), style=style, **desc)
    return w.Text(value="" if value is None else str(value), style=style, **desc)


# ipywidgets ships no type information, so VBox is Any to mypy.
class EnqueueForm(w.VBox):  # type: ignore[misc]
    """``EnqueueForm(project_dir, config)``: one field per dynamic arg, GPUs, priority, name.

    ``submit()`` (the button) queues the job; the result or the server's
    message shows under the form and the new id is in ``job_id``.
    """

    def __init__(
        self,
        project_dir: str,
        config: str,
        client: Client | None = None,
        job_type: str = "training",
    ) -> None:
        self.client = client or Client()
        self.project_dir, self.config, self.job_type = project_dir, config, job_type
        self.job_id: str | None = None
        schema = self.client.dynamic_args(project_dir, config)
        self.fields: dict[str, w.Widget] = {
            a.name: _field(a, schema.values.get(a.name, a.default)) for a in schema.args
        }
        style = {"description_width": "140px"}
        self.gpus = w.BoundedIntText(value=0, min=0, max=64, description="GPUs", style=style)
        self.priority = w.BoundedIntText(
            value=0, min=-1000, max=1000, description="priority", style=style
        )
        self.name = w.Text(value="", placeholder=config, description="name", style=style)
        self.button = w.Button(description="Enqueue", button_style="primary", icon="play")
        self.button.on_click(lambda _: self.submit())
        self.result = w.HTML()
        title = w.HTML(f"<b>{config}</b> <span style='opacity:.7'>{project_dir}</span>")
        super().__init__(
            [
                title,
                *self.fields.values(),
                self.gpus,
                self.priority,
                self.name,
                self.button,
                self.result,
            ]
        )

    def values(self) -> dict[str, Any]:
        """The dynamic args as the form holds them now."""
        return {k: f.value for k, f in self.fields.items()}

    def submit(self) -> str | None:
        """Queue the job; its id, or ``None`` with the server's message shown."""
        try:
            job = self.client.enqueue(
                project_dir=self.project_dir,
                config=self.config,
                dynamic_args=self.values(),
                job_type=self.job_type,
                gpus=self.gpus.value,
                priority=self.priority.value,
                name=self.name.value or None,
            )
        except ForgatherClientError as e:
            self.result.value = f"<span style='color:var(--jp-error-color1,#c62828)'>{e}</span>"
            return None
        self.job_id = job.id
        self.result.value = f"queued <code>{job.id}</code> ({job.status})"
        return job.id
