"""Cluster mode: several Forgather Lab servers on one LAN as one pool (see docs/cluster.md).

Standalone (``ForgatherLab.cluster`` empty, the default) uses only ``service``
(this node alone, for ``GET /cluster``); the rest (zeroconf discovery, the
mTLS listener, the peer client, cryptography's CA tools) is imported only
when a cluster is joined. Nothing here imports tornado or jupyter_server:
the inter-node listener is asyncio with h11.
"""
