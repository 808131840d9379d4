"""The TensorBoard proxy's rules: which job, whether it answers, which URL (no tornado here).

The path under ``/forgather/api/tb/{job_id}`` is forwarded unchanged, since
TensorBoard runs with that path as its ``--path_prefix``; only the job's
loopback origin is put in front. No token travels: TensorBoard has none,
which is why it listens on 127.0.0.1 only and is reached through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from ..errors import Conflict, NotFound, Unavailable
from ..inference.supervisor import EndpointSupervisor
from ..models.inference import EndpointState
from ..proxy.inference import UpstreamRequest
from ..proxy.upstream import request_headers

SAFE = "/:@!$&'()*+,;=-._~"  # path characters forwarded as they are


async def plan(
    endpoints: EndpointSupervisor,
    job_id: str,
    method: str,
    path: str,
    query: str,
    incoming: Mapping[str, str],
) -> UpstreamRequest:
    """The request to the TensorBoard of ``job_id``; 404 / 409 / 503 say why there is none."""
    endpoint = await endpoints.get(job_id)
    if endpoint is None or endpoint.job_type != "tensorboard":
        raise NotFound(f"No TensorBoard job {job_id!r}")
    if endpoint.state == EndpointState.STOPPED:
        raise Conflict(f"TensorBoard job {job_id} is {endpoint.status}")
    if not endpoint.ready:
        raise Unavailable(
            f"TensorBoard job {job_id} is {endpoint.state}"
            + (f": {endpoint.message}" if endpoint.message else "; try again shortly")
        )
    url = f"{endpoint.base_url}/{quote(path.lstrip('/'), safe=SAFE)}"
    if query:
        url += "?" + query
    return UpstreamRequest(method, url, request_headers(dict(incoming), None))
