"""The files of a node's TLS directory, and the SSL contexts made from them (stdlib only).

A node's ``cluster_tls_dir`` holds ``ca.crt`` (the cluster CA), ``node.crt``
and ``node.key`` (0600), as ``forgather-lab tls issue`` writes them. Both
sides of every inter-node call present their certificate and require the
other's to be signed by the CA: a client without one, or with one from
another CA, is refused during the TLS handshake.

Host names are not checked: nodes are identified by their node id, their
addresses come and go (DHCP, new NICs), and the trust model is the cluster's
CA: whoever holds a node certificate from it is a member (as any torchrun
rank already is).
"""

from __future__ import annotations

import ssl
import stat
from pathlib import Path

from ..errors import BadRequest

CA_CERT = "ca.crt"
NODE_CERT = "node.crt"
NODE_KEY = "node.key"


def check_dir(tls_dir: Path) -> None:
    """Refuse a TLS directory with a file missing or a key others may read."""
    missing = [n for n in (CA_CERT, NODE_CERT, NODE_KEY) if not (tls_dir / n).is_file()]
    if missing:
        raise BadRequest(
            f"cluster_tls_dir {tls_dir} lacks {', '.join(missing)}: create it with "
            "`forgather-lab tls issue CA_DIR --node NAME --out DIR`"
        )
    mode = (tls_dir / NODE_KEY).stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise BadRequest(f"{tls_dir / NODE_KEY} is readable by others: chmod 600 it")


def server_context(tls_dir: Path) -> ssl.SSLContext:
    """The listener's context: its certificate, and a CA-signed client certificate required."""
    check_dir(tls_dir)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(tls_dir / CA_CERT))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_cert_chain(str(tls_dir / NODE_CERT), str(tls_dir / NODE_KEY))
    return ctx


def client_context(tls_dir: Path) -> ssl.SSLContext:
    """The peer client's context: its certificate, and the peer's checked against the CA."""
    check_dir(tls_dir)
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(tls_dir / CA_CERT))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False  # see the module docstring: the CA is the identity check
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_cert_chain(str(tls_dir / NODE_CERT), str(tls_dir / NODE_KEY))
    return ctx
