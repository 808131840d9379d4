"""The cluster CA and node certificates (``cryptography``; the ``cluster`` extra).

EC P-256 keys, written 0600. A node certificate names the node (CN and a DNS
SAN) and the IP addresses given, and is good for both ends of a call
(serverAuth and clientAuth): every node is a listener and a client.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .tls import CA_CERT, NODE_CERT, NODE_KEY

CA_KEY = "ca.key"
CA_DAYS = 3650
NODE_DAYS = 825


def init_ca(ca_dir: Path, name: str = "Forgather Lab cluster CA") -> Path:
    """Create a CA in ``ca_dir`` (``ca.crt``, ``ca.key`` 0600); refuse to replace one."""
    if (ca_dir / CA_KEY).exists() or (ca_dir / CA_CERT).exists():
        raise FileExistsError(f"{ca_dir} already holds a CA; remove it first to make another")
    ca_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    _write_key(ca_dir / CA_KEY, key)
    (ca_dir / CA_CERT).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return ca_dir / CA_CERT


def issue(ca_dir: Path, node: str, ips: list[str], out_dir: Path | None = None) -> Path:
    """Sign a certificate for ``node`` into ``out_dir`` (default ``ca_dir/node``).

    ``out_dir`` then holds what the node's ``cluster_tls_dir`` names: the CA's
    certificate, the node's certificate and its key (0600).
    """
    if not node or "/" in node or node.startswith("."):
        raise ValueError(f"--node must be a plain name, not {node!r}")
    addresses = [ipaddress.ip_address(ip) for ip in ips]  # ValueError names a bad one
    ca_cert = x509.load_pem_x509_certificate((ca_dir / CA_CERT).read_bytes())
    ca_key = serialization.load_pem_private_key((ca_dir / CA_KEY).read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{ca_dir / CA_KEY} is not this tool's CA key")
    out = out_dir if out_dir is not None else ca_dir / node
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    names: list[x509.GeneralName] = [x509.DNSName(node), *(x509.IPAddress(a) for a in addresses)]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, node)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=NODE_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(out / NODE_KEY, key)
    (out / NODE_CERT).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if (out / CA_CERT).resolve() != (ca_dir / CA_CERT).resolve():
        shutil.copyfile(ca_dir / CA_CERT, out / CA_CERT)
    return out


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """The key, created 0600 from the start (never world-readable, even for a moment)."""
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
