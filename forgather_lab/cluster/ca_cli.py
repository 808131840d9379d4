"""``forgather-lab tls init CA_DIR`` / ``tls issue CA_DIR --node NAME [--ip ADDR ...] [--out DIR]``.

The CLI (the notebook side, which never imports the server) runs this module
as ``python -m forgather_lab.cluster.ca_cli``. Exit codes as the CLI's: 0
done, 1 refused (an existing CA, a missing one), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

PROG = "forgather-lab tls"


def build_parser() -> argparse.ArgumentParser:
    """``init`` and ``issue``."""
    p = argparse.ArgumentParser(prog=PROG, description="The cluster's CA and node certificates.")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = sub.add_parser("init", help="create a cluster CA in CA_DIR (ca.crt, ca.key 0600)")
    init.add_argument("ca_dir", metavar="CA_DIR", type=Path)
    issue = sub.add_parser(
        "issue", help="sign a node certificate: NODE_DIR gets ca.crt, node.crt, node.key"
    )
    issue.add_argument("ca_dir", metavar="CA_DIR", type=Path)
    issue.add_argument("--node", required=True, help="the node's name (CN and DNS name)")
    issue.add_argument(
        "--ip", action="append", default=[], metavar="ADDR", help="an IP address (repeatable)"
    )
    issue.add_argument(
        "--out", type=Path, default=None, metavar="NODE_DIR", help="default: CA_DIR/NAME"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one action; print what was written."""
    args = build_parser().parse_args(argv)
    from . import ca

    try:
        if args.action == "init":
            print(f"CA certificate: {ca.init_ca(args.ca_dir)}")
        else:
            out = ca.issue(args.ca_dir, args.node, args.ip, args.out)
            print(f"node {args.node}: {out} (set ForgatherLab.cluster_tls_dir to it)")
    except ValueError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
