"""The sandboxing policy of a proxied MkDocs site (``handlers/docsite.py`` sends it).

As for TensorBoard (``tensorboard.sandbox``), the ``sandbox`` directive
without ``allow-same-origin`` makes every page an opaque origin: it cannot
read Jupyter's cookies or storage, and its requests carry none of them. Its
script is the theme's and the project's own; MkDocs themes use inline
scripts (``base_url``, search), which an opaque origin can afford, so
``'unsafe-inline'`` is allowed and the storage shim is inlined as well.
Third-party hosts (web fonts, CDNs) are not: a page falls back to local
fonts.
"""

from __future__ import annotations

from ..proxy.sandbox import opaque_origin_policy

CONTENT_SECURITY_POLICY = opaque_origin_policy("'unsafe-inline' 'unsafe-eval'")

#: Keys a docs view link apart from a TensorBoard one (``ViewGrants``).
GRANT_LABEL = b"forgather-lab docs view\x00"
