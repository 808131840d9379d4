"""The endpoint a job's reporter talks to, authenticated by the job's own token alone.

The token (``Authorization: Bearer <token>``, from the 0600 file named by
``FORGATHER_LAB_TOKEN_FILE``) opens this one route of this one job: every
other route needs Jupyter's credentials, and another job's callback compares
against another hash. Jupyter's auth layer is told to let the verb through
(``@allow_unauthenticated``) and the token is checked here, in constant time.
"""

from __future__ import annotations

import hmac

from jupyter_server.auth.decorator import allow_unauthenticated

from ..errors import Forbidden, ForgatherError
from ..jobs.launcher import hash_token
from ..jobs.repository import token_hash
from ..models.control import ReportBatch, ReportReply
from .base import ForgatherHandler, Route, operation

_NO_HASH = "0" * 64  # compared against when the job is unknown, so timing tells nothing


class Unauthorized(ForgatherError):
    """No job token was presented."""

    status = 401


class CallbackHandler(ForgatherHandler):
    def check_xsrf_cookie(self) -> None:
        # A bearer token in a header is not an ambient credential a browser
        # would attach to a forged request, so there is no XSRF to defend.
        return

    async def _check_job_token(self, job_id: str) -> None:
        scheme, _, token = self.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            if scheme:
                raise Forbidden("This endpoint takes the job's own token (Authorization: Bearer)")
            raise Unauthorized("Missing the job token (Authorization: Bearer <token>)")
        stored = await self.runtime.db.run(lambda c: token_hash(c, job_id))
        if not hmac.compare_digest(hash_token(token.strip()), stored or _NO_HASH) or not stored:
            raise Forbidden("The token is not this job's token")

    @operation(
        "The reporter's callback (job token auth): progress, metrics, checkpoints, stage, "
        "eval results and command acknowledgements in; pending commands out",
        body=ReportBatch,
        response=ReportReply,
        errors={401: "no job token", 403: "not this job's token", 404: "no such job"},
    )
    @allow_unauthenticated
    async def post(self, job_id: str) -> None:
        await self._check_job_token(job_id)
        batch = self.parse_body(ReportBatch)
        self.reply(await self.runtime.control.callback(job_id, batch))


ROUTES = [Route("/jobs/{job_id}/callback", CallbackHandler)]
