"""The TensorBoard proxy's rules: which job, whether it answers, which URL (no tornado here).

The same rules serve every sandboxed web app a job runs behind the proxy
(the docs kind's MkDocs site too): ``job_type`` and ``label`` name it.

The path under ``/forgather/api/tb/{job_id}`` (or under a view link,
``/forgather/api/tb-view/{job_id}/{grant}``) is put after the job's announced
base URL, which already ends in TensorBoard's ``--path_prefix``
(``/forgather/api/tb/{job_id}``); TensorBoard's pages link relatively, so
they work under either. No token travels: TensorBoard has none, which is why
it listens on 127.0.0.1 only and is reached through here (on a Slurm or Ray
node: on the node's address, reached at that node only, see
``inference.supervisor``). How its pages are
kept off Jupyter's origin: ``sandbox``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from ..errors import Conflict, Forbidden, NotFound, Unavailable
from ..inference.supervisor import Endpoint, EndpointSupervisor
from ..models.inference import EndpointState
from ..proxy.inference import UpstreamRequest
from ..proxy.upstream import request_headers
from .sandbox import TENSORBOARD_REQUEST_HEADERS

SAFE = "/:@!$&'()*+,;=-._~"  # path characters forwarded as they are


async def ready_endpoint(
    endpoints: EndpointSupervisor,
    job_id: str,
    job_type: str = "tensorboard",
    label: str = "TensorBoard",
) -> Endpoint:
    """The ``job_type`` endpoint of ``job_id``, answering; 404 / 409 / 503 say why there is none."""
    endpoint = await endpoints.get(job_id)
    if endpoint is None or endpoint.job_type != job_type:
        raise NotFound(f"No {label} job {job_id!r}")
    if endpoint.state == EndpointState.STOPPED:
        raise Conflict(f"{label} job {job_id} is {endpoint.status}")
    if not endpoint.ready:
        raise Unavailable(
            f"{label} job {job_id} is {endpoint.state}"
            + (f": {endpoint.message}" if endpoint.message else "; try again shortly")
        )
    return endpoint


async def plan(
    endpoints: EndpointSupervisor,
    job_id: str,
    method: str,
    path: str,
    query: str,
    incoming: Mapping[str, str],
    *,
    job_type: str = "tensorboard",
    label: str = "TensorBoard",
    also: tuple[str, ...] = TENSORBOARD_REQUEST_HEADERS,
) -> UpstreamRequest:
    """The request to the web app of ``job_id`` (see ``ready_endpoint`` for refusals);
    ``also`` names the request headers of the app's own that are forwarded."""
    endpoint = await ready_endpoint(endpoints, job_id, job_type, label)
    host = urlsplit(endpoint.base_url or "").hostname or ""
    if not endpoints.upstream_allowed(host):  # checked when recorded; a pool may shrink since
        raise Forbidden(f"{label} job {job_id} listens at {host}, not loopback or an engine node")
    url = f"{endpoint.base_url}/{quote(path.lstrip('/'), safe=SAFE)}"
    if query:
        url += "?" + query
    headers = request_headers(dict(incoming), None, also=also)
    return UpstreamRequest(method, url, headers)
