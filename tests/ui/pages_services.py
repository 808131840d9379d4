"""Page objects for the Services section's launch dialogs, a Docs tab and the Evaluate panel."""

from __future__ import annotations

from typing import Any

from .pages import ForgatherPanel, JupyterLabPage


class LaunchDialog:
    """A service kind's launch dialog, generated from its schema."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.page = lab.page
        self.root = self.page.locator(".jp-Dialog")
        self.form = self.root.locator("form.jp-forgather-launch")

    def field(self, name: str) -> Any:
        """The control of parameter ``name``."""
        return self.form.locator(f'[data-field="{name}"]')

    def meta(self, label: str) -> Any:
        return self.form.get_by_label(label, exact=True)

    def labels(self) -> list[str]:
        return [
            t.strip() for t in self.form.locator(".jp-forgather-form-row label").all_inner_texts()
        ]

    def reset(self) -> None:
        self.form.get_by_role("button", name="Reset to defaults").click()

    def start(self) -> None:
        self.root.get_by_role("button", name="Start").click()
        self.root.wait_for(state="detached")

    def cancel(self) -> None:
        self.root.get_by_role("button", name="Cancel").click()
        self.root.wait_for(state="detached")


class ServicesSection:
    """The Services section of the Forgather panel."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.panel = ForgatherPanel(lab)
        self.root = self.page.locator('section[aria-label="Services"]')

    def open(self) -> None:
        self.panel.open_from_sidebar()
        self.root.wait_for(state="visible")

    def menu_items(self) -> list[str]:
        self.root.get_by_role("button", name="New service").click()
        items = self.root.get_by_role("menuitem")
        items.first.wait_for()
        return [t.strip() for t in items.all_inner_texts()]

    def launch(self, label: str) -> LaunchDialog:
        """Open the dialog of the kind called ``label`` ("TensorBoard") from the menu."""
        menu = self.root.get_by_role("menu")
        if not menu.is_visible():
            self.root.get_by_role("button", name="New service").click()
        self.root.get_by_role("menuitem", name=f"{label}…").click()
        dialog = LaunchDialog(self.lab)
        dialog.form.wait_for()
        return dialog

    def row(self, type_: str, name: str) -> Any:
        return self.root.locator(f'[data-service="{type_}/{name}"]')


class DocsTab:
    """A docs job's site in a Lab tab (a sandboxed frame)."""

    def __init__(self, lab: JupyterLabPage, job_id: str) -> None:
        self.page = lab.page
        self.root = self.page.locator(f'.jp-forgather-docs-tab[data-job-id="{job_id}"]')
        self.frame = self.root.frame_locator("iframe")

    def heading(self, text: str) -> Any:
        return self.frame.get_by_role("heading", name=text).first


class EvaluatePanel:
    """The Evaluate panel: an output directory's evaluations as a table."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.page = lab.page
        self.root = self.page.locator(".jp-forgather-evaluate-panel").last
        self.table = self.root.get_by_role("table", name="Evaluation results")

    def columns(self) -> list[str]:
        return [t.strip() for t in self.table.locator("thead th").all_inner_texts()]

    def value(self, evaluation: str, metric: str) -> str:
        row = self.table.locator(f'tr[data-evaluation="{evaluation}"]')
        return row.locator(f'td[data-metric="{metric}"]').inner_text().strip()
