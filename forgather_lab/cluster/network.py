"""The network probe: latency and download bandwidth to every reachable peer, on demand.

Sequential across peers (two transfers at once would share the NIC and
under-report both), over the same mTLS listener every inter-node call uses:
``WARMUP`` round trips to ``/ping`` are thrown away (the TCP connect and TLS
handshake), ``SAMPLES`` more give min / median / max; then one small
download estimates the rate and a second, sized to take about
``TRANSFER_SECONDS``, measures it. Results are kept until the next refresh.

Through TLS in Python this under-reports a fast link (the seed's raw-TCP
data channel is a later step, see docs/cluster.md); it is enough to tell a
1 GbE path from a 10 GbE one and a LAN peer from one behind a VPN.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

from ..errors import ForgatherError
from ..models.cluster import DescribeNetwork, PeerLatency, PeerNetwork
from .client import ClusterClient, raise_for_peer
from .membership import Member

WARMUP = 3
SAMPLES = 20
FIRST_BYTES = 1 << 20
MAX_BYTES = 64 << 20
TRANSFER_SECONDS = 1.0
TRANSFER_DEADLINE = 10.0


class NetworkProbe:
    """Measures peers one at a time; the last results are the cache."""

    def __init__(self, client: ClusterClient, peers: Callable[[], list[Member]]) -> None:
        self.client = client
        self.peers = peers
        self.results: dict[str, PeerNetwork] = {}
        self.refreshed_at: float | None = None
        self._lock = asyncio.Lock()

    def describe(self) -> DescribeNetwork:
        rows = [self.results[k] for k in sorted(self.results)]
        return DescribeNetwork(peers=rows, refreshed_at=self.refreshed_at)

    async def refresh(self) -> DescribeNetwork:
        """Measure every reachable peer (a refresh under way is waited for, not doubled)."""
        async with self._lock:
            results = {}
            for m in self.peers():
                results[m.node_id] = await self.measure(m)
            self.results, self.refreshed_at = results, time.time()
            return self.describe()

    async def measure(self, m: Member) -> PeerNetwork:
        row = PeerNetwork(node_id=m.node_id, hostname=m.hostname, measured_at=time.time())
        try:
            row.latency, row.address = await self._latency(m)
            row.bandwidth_mbps = await self._bandwidth(m)
        except ForgatherError as e:
            row.message = e.message
        return row

    async def _latency(self, m: Member) -> tuple[PeerLatency, str]:
        times = []
        address = ""
        for _ in range(WARMUP + SAMPLES):
            t0 = time.perf_counter()
            reply = await self.client.request(m.node_id, "GET", "/ping")
            times.append((time.perf_counter() - t0) * 1000)
            raise_for_peer(reply, m.node_id)
            address = reply.address
        kept = times[WARMUP:]
        latency = PeerLatency(
            min_ms=round(min(kept), 3),
            median_ms=round(statistics.median(kept), 3),
            max_ms=round(max(kept), 3),
            samples=len(kept),
        )
        return latency, address

    async def _bandwidth(self, m: Member) -> float:
        seconds = await self._download(m, FIRST_BYTES)
        rate = FIRST_BYTES / max(seconds, 1e-6)
        size = int(min(MAX_BYTES, max(FIRST_BYTES, rate * TRANSFER_SECONDS)))
        seconds = await self._download(m, size)
        return round(size * 8 / max(seconds, 1e-6) / 1e6, 1)

    async def _download(self, m: Member, size: int) -> float:
        t0 = time.perf_counter()
        reply = await self.client.request(
            m.node_id, "GET", f"/bytes?size={size}", deadline=TRANSFER_DEADLINE
        )
        elapsed = time.perf_counter() - t0
        raise_for_peer(reply, m.node_id)
        return elapsed
