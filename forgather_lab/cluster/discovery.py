"""mDNS discovery with zeroconf: advertise ``_forgather._tcp.local.``, browse for peers.

Each node registers ``<node_id>._forgather._tcp.local.`` (a name that stays
unique when every node has the same hostname, as network namespaces and
cloned VMs do) with TXT ``cluster``, ``node_id``, ``version``, ``hostname``
and its listener's port. Services of another cluster are ignored. A
sighting is identity only (``MemberTable.discovered``): liveness comes from
the direct pull.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

from zeroconf import Error as ZeroconfError
from zeroconf import InterfaceChoice, IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from ..tasks import TaskSet
from .membership import Sighting

log = logging.getLogger("forgather_lab")

SERVICE_TYPE = "_forgather._tcp.local."
REQUEST_TIMEOUT_MS = 3000


class Discovery:
    """This node's mDNS advertisement and the browser that reports peers' sightings."""

    def __init__(
        self,
        cluster: str,
        me: Sighting,
        on_sighting: Callable[[Sighting], None],
        bind: list[str] | None = None,
    ) -> None:
        """``bind``: the local addresses to multicast on (None: every interface, for an
        advertised address that is not this host's, as behind a container's NAT)."""
        self.bind = bind
        self.cluster = cluster
        self.me = me
        self.on_sighting = on_sighting
        self._zc: AsyncZeroconf | None = None
        self._browser: AsyncServiceBrowser | None = None
        self._info: AsyncServiceInfo | None = None
        self._tasks = TaskSet("cluster discovery")

    def _service_info(self) -> AsyncServiceInfo:
        me = self.me
        return AsyncServiceInfo(
            SERVICE_TYPE,
            f"{me.node_id}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(a) for a in me.addresses],
            port=me.port,
            properties={
                "cluster": self.cluster,
                "node_id": me.node_id,
                "version": me.version,
                "hostname": me.hostname,
            },
            server=f"{me.node_id}.local.",
        )

    async def start(self) -> None:
        """Advertise and browse on the advertised addresses' interfaces."""
        try:
            interfaces = list(self.bind) if self.bind else InterfaceChoice.All
            self._zc = AsyncZeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
            self._info = self._service_info()
            # The first await registers; the announcements (~1.7 s of probing) go on behind.
            announced = await self._zc.async_register_service(self._info)
        except ZeroconfError as e:  # a name clash, no multicast on the interface, ...
            raise OSError(f"mDNS on {', '.join(self.bind or ['every interface'])}: {e}") from e
        self._tasks.spawn(_finish(announced), name="mdns announce")
        self._browser = AsyncServiceBrowser(
            self._zc.zeroconf, SERVICE_TYPE, handlers=[self._on_change]
        )

    async def stop(self) -> None:
        """Withdraw the advertisement (peers' caches forget it) and close."""
        await self._tasks.close()
        if self._browser is not None:
            await self._browser.async_cancel()
            self._browser = None
        if self._zc is not None:
            if self._info is not None:
                try:
                    await self._zc.async_unregister_service(self._info)
                except Exception as e:  # best effort: the process may be going down anyway
                    log.debug("mDNS unregister failed: %s", e)
            await self._zc.async_close()
            self._zc = None

    def _on_change(self, **kwargs: Any) -> None:
        state = kwargs["state_change"]
        name = str(kwargs["name"])
        if state in (ServiceStateChange.Added, ServiceStateChange.Updated):
            self._tasks.spawn(self._resolve(name), name=f"mdns {name}")

    async def _resolve(self, name: str) -> None:
        if self._zc is None:
            return
        info = AsyncServiceInfo(SERVICE_TYPE, name)
        if not await info.async_request(self._zc.zeroconf, REQUEST_TIMEOUT_MS):
            return
        sighting = parse(info, self.cluster)
        if sighting is not None and sighting.node_id != self.me.node_id:
            self.on_sighting(sighting)


def parse(info: AsyncServiceInfo, cluster: str) -> Sighting | None:
    """A sighting from a resolved service; None for another cluster or a malformed record."""
    props = {
        (k.decode() if isinstance(k, bytes) else str(k)): (
            v.decode() if isinstance(v, bytes) else ""
        )
        for k, v in (info.properties or {}).items()
    }
    if props.get("cluster") != cluster or not props.get("node_id") or not info.port:
        return None
    return Sighting(
        node_id=props["node_id"],
        hostname=props.get("hostname", ""),
        addresses=info.parsed_addresses(IPVersion.V4Only),
        port=int(info.port),
        version=props.get("version", ""),
    )


async def _finish(announced: Any) -> None:
    await announced
