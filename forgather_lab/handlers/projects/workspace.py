"""Workspace operations: new workspaces and projects, guarded deletes."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...models import projects as m
from ..base import Route, operation
from ._base import CREATE_ERRORS, PATH_ERRORS, ProjectsHandlerBase


class NewWorkspaceHandler(ProjectsHandlerBase):
    @operation(
        "Create a workspace under a search root",
        body=m.CreateWorkspace,
        response=m.CreatedWorkspace,
        status=201,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.CreateWorkspace)
        created = await self.projects.run(
            self.projects.workspace.create_workspace,
            b.parent_dir,
            b.name,
            b.description,
            b.workspace_dir_name,
        )
        self.reply(created, status=201)


class InitWorkspaceHandler(ProjectsHandlerBase):
    @operation(
        "Make an existing directory a workspace",
        body=m.InitWorkspace,
        response=m.CreatedWorkspace,
        status=201,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.InitWorkspace)
        created = await self.projects.run(
            self.projects.workspace.init_workspace, b.workspace_dir, b.name, b.description
        )
        self.reply(created, status=201)


class NewProjectHandler(ProjectsHandlerBase):
    @operation(
        "Create a project in a workspace",
        body=m.CreateProject,
        response=m.CreatedProject,
        status=201,
        errors=CREATE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.CreateProject)
        created = await self.projects.run(
            self.projects.workspace.create_project,
            b.workspace_dir,
            b.name,
            b.description,
            b.config_prefix,
            b.default_config,
            b.project_dir_name,
        )
        self.reply(created, status=201)


DELETE_ERRORS = {
    **PATH_ERRORS,
    403: "outside the search roots, the state directory, or not something the Lab deletes",
}


class DeleteDirHandler(ProjectsHandlerBase):
    @operation(
        "Delete a directory tree (confirmed): a config's output directory, a run, checkpoint "
        "or evaluation in one, a project or a workspace; never the state directory",
        body=m.DeletePath,
        response=m.Deleted,
        errors=DELETE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.DeletePath)
        workspace = self.projects.workspace
        self.reply(await self.projects.run(workspace.delete_dir, b.path, b.confirmed))


class DeleteFileHandler(ProjectsHandlerBase):
    @operation(
        "Delete one file (confirmed): a config file of a project",
        body=m.DeletePath,
        response=m.Deleted,
        errors=DELETE_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        b = self.parse_body(m.DeletePath)
        workspace = self.projects.workspace
        self.reply(await self.projects.run(workspace.delete_file, b.path, b.confirmed))


ROUTES = [
    Route("/workspace/new", NewWorkspaceHandler),
    Route("/workspace/init-here", InitWorkspaceHandler),
    Route("/workspace/new-project", NewProjectHandler),
    Route("/fs/delete-dir", DeleteDirHandler),
    Route("/fs/delete-file", DeleteFileHandler),
]
