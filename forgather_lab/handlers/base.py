"""The one base handler: auth resource, error mapping, request parsing."""

from __future__ import annotations

import functools
import getpass
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ValidationError

from ..errors import BadRequest, Forbidden, ForgatherError, NotFound, Unavailable
from ..jobs.owners import SUBMITTER
from ..models.base import ErrorReply
from ..models.caller import Caller
from ..models.encoding import reply_json
from ..runtime import Runtime
from .keys import RUNTIME_KEY, RUNTIME_READY_KEY

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

AUTH_RESOURCE = "forgather"
_JUPYTER_QUERY_KEYS = frozenset({"token", "_xsrf", "no_track_activity"})


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one verb of one route."""

    summary: str
    response: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    status: int = 200
    errors: dict[int, str] = field(default_factory=dict)
    content_type: str = "application/json"
    # Statuses other than ``status`` whose body is ``response`` too, not an
    # ErrorReply (health answers 503 with the same DescribeHealth).
    also: dict[int, str] = field(default_factory=dict)


def operation(summary: str, **kwargs: Any) -> Callable[[F], F]:
    """Document a verb for the OpenAPI document (metadata only, no behaviour)."""

    def mark(method: F) -> F:
        method.__forgather_operation__ = Operation(summary, **kwargs)  # type: ignore[attr-defined]
        return method

    return mark


class ForgatherHandler(APIHandler):
    """Base of every /forgather/api handler.

    Verbs carry ``@web.authenticated`` and ``@authorized``; the resource is
    ``forgather`` so a Jupyter Authorizer can allow or deny the whole API.
    Core errors (``ForgatherError``) become their 4xx / 503 with a JSON
    ``ErrorReply``; anything else is a logged 500 without a traceback.
    """

    #: False for endpoints that must answer while the runtime is degraded (health).
    requires_ready = True

    auth_resource = AUTH_RESOURCE

    #: Verbs (``"GET"``, ``"POST"``, ...) that act on the ``{job_id}`` of the path:
    #: only the job's owner or an admin may call them (checked before anything else).
    owner_only: ClassVar[frozenset[str]] = frozenset()
    #: Verbs only an admin may call (pool policy: GPUs, the scheduler, services).
    admin_only: ClassVar[frozenset[str]] = frozenset()
    #: What ``admin_only`` verbs do, for the 403's message.
    admin_action: ClassVar[str] = "change the pool's policy"

    @property
    def runtime(self) -> Runtime:
        """The core services of this server."""
        return self.settings[RUNTIME_KEY]  # type: ignore[no-any-return]

    @functools.cached_property
    def caller(self) -> Caller:
        """Who this request acts for (see ``caller_of``)."""
        return caller_of(self.runtime.settings, self.current_user)

    def stream_client(self) -> str:
        """Whom the caps on open streams count: the Hub user in hub mode, else the address.

        Every user's server and the Hub's proxy reach a hub service from one
        address, so there an address would share one cap among all users; in a
        single-user server Jupyter's token auth may make up a new user per request.
        """
        if getattr(self.runtime.settings, "mode", "single") == "hub":
            return f"user:{self.caller.name}"
        return self.request.remote_ip or "?"

    # APIHandler.prepare already narrows JupyterHandler's signature (with its own
    # ignore); mypy compares ours with both.
    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        ready = self.settings.get(RUNTIME_READY_KEY)
        if ready is not None and not ready.is_set():
            await ready.wait()  # the server answers before the runtime is ready (app.py)
        if RUNTIME_KEY not in self.settings:
            raise Unavailable("Forgather Lab could not start; the server's log says why")
        if self.requires_ready:
            self.runtime.require_ready()
        await self.check_access()

    async def check_access(self) -> None:
        """403 unless the caller may use this verb here (owner / admin rules).

        Unauthenticated requests pass through: the verb's ``@web.authenticated``
        refuses them as before. A job that does not exist passes too, so the
        handler answers its usual 404.
        """
        method = (self.request.method or "").upper()
        if self.current_user is None:
            return
        # Whatever this request queues (a re-run, a service, ...) is the caller's.
        SUBMITTER.set(self.caller.name)
        if self.caller.admin:
            return
        if method in self.admin_only:
            raise Forbidden(f"Only an admin may {self.admin_action}", reason="admin_only")
        job_id = self.path_kwargs.get("job_id")
        if method in self.owner_only and job_id is not None:
            await self.require_job_owner(job_id)

    async def require_job_owner(self, job_id: str) -> None:
        """403 unless the caller owns job ``job_id`` (or is an admin); nothing if it is absent."""
        if self.caller.admin:
            return
        try:
            job = await self.runtime.jobs.get(job_id)
        except NotFound:
            return
        if not self.caller.may_act_on(job.owner):
            whose = f"{job.owner}'s" if job.owner else "an unowned"
            raise Forbidden(
                f"Job {job_id} is {whose} job: only its owner or an admin may do that",
                reason="not_owner",
            )

    # -- parsing ------------------------------------------------------------

    def parse_body(self, model: type[M]) -> M:
        """The JSON body validated into ``model``; 400 with a readable message if not.

        Nesting is capped at ``MAX_JSON_DEPTH``: no request needs more, and a
        deeper body would otherwise fail as a RecursionError (a 500) in the
        parser, the validator or whatever stores it.
        """
        raw = self.request.body.strip()
        try:
            data = json.loads(raw) if raw else {}
        except RecursionError as e:
            raise BadRequest(_TOO_DEEP, reason="body_too_deep") from e
        except ValueError as e:
            raise BadRequest(f"The request body is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise BadRequest("The request body must be a JSON object")
        if _deeper_than(data, MAX_JSON_DEPTH):
            raise BadRequest(_TOO_DEEP, reason="body_too_deep")
        return _validate(model, data)

    def parse_query(self, model: type[M]) -> M:
        """Query arguments validated into ``model`` (lax: strings coerce to numbers)."""
        data = {
            k: self.get_query_argument(k)
            for k, v in self.request.query_arguments.items()
            # Not parameters: Jupyter's own credentials (``?token=`` on sockets,
            # ``_xsrf``) and the bare cache-busting timestamp JupyterLab's
            # request helper appends to GETs (``&1732570000000``).
            if k not in _JUPYTER_QUERY_KEYS and not (k.isdigit() and v == [b""])
        }
        try:
            return model.model_validate(data, strict=False)
        except ValidationError as e:
            raise BadRequest(_describe(e)) from e

    def reply(self, payload: BaseModel, status: int = 200) -> None:
        """Finish with the model as JSON; it must be the verb's documented response."""
        documented = self._documented_response()
        if documented is not None and not isinstance(payload, documented):
            # A bug, not the client's fault: the OpenAPI document would lie.
            raise TypeError(
                f"{type(self).__name__}.{self.request.method}: replied with "
                f"{type(payload).__name__}, documented as {documented.__name__}"
            )
        self.set_status(status)
        self.finish(reply_json(payload))

    def _documented_response(self) -> type[BaseModel] | None:
        method = getattr(type(self), (self.request.method or "").lower(), None)
        op: Operation | None = getattr(method, "__forgather_operation__", None)
        return op.response if op is not None else None

    # -- errors -------------------------------------------------------------

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ForgatherError):
            status_code = exc.status
        super().send_error(status_code, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ForgatherError):
            self.set_header("Content-Type", "application/json")
            reply = ErrorReply(message=exc.message, reason=exc.reason, details=exc.details or None)
            self.finish(reply.model_dump_json(exclude_none=True))
            return
        super().write_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, ForgatherError):
            self.log.info(
                "%s %s -> %d: %s",
                self.request.method,
                self.request.uri,
                value.status,
                value.message,
            )
            return
        super().log_exception(typ, value, tb)


API_PREFIX = "/forgather/api"


@dataclass(frozen=True)
class Route:
    """One path and the handler serving it.

    Paths are written the OpenAPI way, relative to ``API_PREFIX``
    (``/jobs/{job_id}``, ``/gpus/{index:int}``); the tornado pattern is derived,
    so the route table and the OpenAPI document cannot disagree.
    """

    path: str
    handler: type[ForgatherHandler]

    @property
    def openapi_path(self) -> str:
        """The absolute path as the OpenAPI document writes it."""
        return API_PREFIX + re.sub(r"\{(\w+):int\}", r"{\1}", self.path)

    @property
    def pattern(self) -> str:
        """The tornado URL pattern, with named groups for path parameters."""
        pattern = re.sub(r"\{(\w+):int\}", r"(?P<\1>\\d+)", self.path)
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        return API_PREFIX + pattern


@functools.cache
def server_user() -> str:
    """The OS user this server runs as (its uid when the account has no name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def caller_of(settings: Any, user: Any) -> Caller:
    """The caller of a request from the server's settings and Jupyter's ``current_user``.

    Single mode: always the server's OS user, an admin. Jupyter's token auth gives
    each token request a random user name, so the request's user is not used.
    Hub mode: the Hub user, an admin if the Hub says so or through ``admin_groups``.
    """
    if getattr(settings, "mode", "single") != "hub":
        return Caller(server_user(), admin=True)
    name = str(getattr(user, "username", "") or "")
    groups = tuple(getattr(user, "groups", ()) or ())
    admin_groups = set(getattr(settings, "admin_groups", ()) or ())
    admin = bool(getattr(user, "admin", False)) or any(g in admin_groups for g in groups)
    return Caller(name, admin=admin)


#: Objects and arrays inside one another, at most, in a request body.
MAX_JSON_DEPTH = 64
_TOO_DEEP = f"The request body is nested too deeply (at most {MAX_JSON_DEPTH} levels)"


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether objects / arrays nest more than ``limit`` deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise BadRequest(_describe(e)) from e


def _describe(e: ValidationError) -> str:
    """One readable line per problem: ``field: what is wrong``."""
    parts = []
    for err in e.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "Invalid request: " + "; ".join(parts)


__all__ = [
    "API_PREFIX",
    "AUTH_RESOURCE",
    "ForgatherHandler",
    "Operation",
    "Route",
    "caller_of",
    "operation",
    "server_user",
]
