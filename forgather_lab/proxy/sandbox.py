"""The Content-Security-Policy of a proxied page kept in an opaque origin.

Shared by the programs whose pages the server proxies but did not write
(TensorBoard, MkDocs sites): ``sandbox`` without ``allow-same-origin`` makes
the page an opaque origin, which cannot read Jupyter's cookies or storage
and whose requests carry none of them; ``allow-popups`` lets its help links
open (the popup stays sandboxed), ``allow-downloads`` its exports. Every
other source is the proxied server itself: third-party hosts (fonts, CDNs)
are never allowed. Only what the page's script may be differs per program.
"""

from __future__ import annotations


def opaque_origin_policy(script_src: str) -> str:
    """The policy for a page whose ``script-src`` is ``script_src`` (after ``'self'``)."""
    return "; ".join(
        [
            "sandbox allow-scripts allow-forms allow-popups allow-downloads",
            "default-src 'self'",
            f"script-src 'self' {script_src}",
            "style-src 'self' 'unsafe-inline' data:",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )
