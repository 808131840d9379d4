"""The ``docs`` job kind on the wire: a project's MkDocs site."""

from __future__ import annotations

from pydantic import Field

from .base import ApiModel


class DocsParams(ApiModel):
    """``job_params`` of a ``docs`` job: ``mkdocs serve`` of one ``mkdocs.yml``, on loopback."""

    config_file: str = Field(
        description="the site's mkdocs.yml (relative to project_dir, or absolute)",
        json_schema_extra={"format": "path"},
    )
    strict: bool = Field(False, description="fail on MkDocs warnings (broken links, missing pages)")
    rebuild: bool = Field(
        True, description="rebuild the site when its files change (reload the tab to see it)"
    )
