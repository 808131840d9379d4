"""The endpoint a job's reporter talks to, authenticated by the job's own token alone.

The token (``Authorization: Bearer <token>``, from the 0600 file named by
``FORGATHER_LAB_TOKEN_FILE``) opens this one route of this one job: every
other route needs Jupyter's credentials, and another job's callback compares
against another hash. Jupyter's auth layer is told to let the verb through
(``@allow_unauthenticated``); this handler only reads the credential off the
request, and the control service decides whether it is this job's token.
"""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import allow_unauthenticated

from ..errors import Forbidden, ForgatherError
from ..models.control import ReportBatch, ReportReply
from .base import ForgatherHandler, Route, operation


class Unauthorized(ForgatherError):
    """No credential at all was presented (HTTP's 401: authenticate, then retry)."""

    status: ClassVar[int] = 401
    default_reason: ClassVar[str] = "unauthorized"


class CallbackHandler(ForgatherHandler):
    def check_xsrf_cookie(self) -> None:
        # A bearer token in a header is not an ambient credential a browser
        # would attach to a forged request, so there is no XSRF to defend.
        return

    def _bearer_token(self) -> str:
        scheme, _, token = self.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        if scheme:  # Jupyter's own token, Basic, ...: a Jupyter user is not a job
            raise Forbidden("This endpoint takes the job's own token (Authorization: Bearer)")
        raise Unauthorized("Missing the job token (Authorization: Bearer <token>)")

    @operation(
        "The reporter's callback (job token auth): progress, metrics, checkpoints, stage, "
        "eval results and command acknowledgements in; pending commands out",
        body=ReportBatch,
        response=ReportReply,
        errors={
            401: "no job token",
            403: "not this job's token",
            404: "no such job",
            409: "the job has ended: its token no longer reports",
            507: "the disk holding the state is full",
        },
    )
    @allow_unauthenticated
    async def post(self, job_id: str) -> None:
        await self.runtime.control.authenticate_callback(job_id, self._bearer_token())
        batch = self.parse_body(ReportBatch)
        self.reply(await self.runtime.control.callback(job_id, batch))


ROUTES = [Route("/jobs/{job_id}/callback", CallbackHandler)]
