"""TensorBoard's pages in an opaque origin: the policy, the view links, the page shim.

TensorBoard's HTML and script are another program's, rendering names and
text that come from training runs. On Jupyter's origin they would hold the
user's Jupyter session (its cookies, its XSRF token, every API, terminals
included), so every proxied TensorBoard response carries a
``Content-Security-Policy`` whose ``sandbox`` directive (no
``allow-same-origin``) makes the page an opaque origin: it cannot read
Jupyter's cookies or storage, and its requests are cross-site, so the
browser attaches no Jupyter cookie to them.

The same is why TensorBoard's own requests (its script bundle, its data
queries) cannot be authenticated by Jupyter's cookie. They go to a *view
link*, ``/forgather/api/tb-view/{job_id}/{grant}/``, where ``grant`` is an
HMAC of the job id under a server secret: the link itself is the credential,
handed out only by the Jupyter-authenticated ``/forgather/api/tb/{job_id}/``
(which redirects a browser's navigation there). It opens one TensorBoard,
read-mostly, while that job runs, and nothing else.

An opaque origin also takes away ``localStorage``, ``document.cookie`` and
same-origin Workers, which TensorBoard uses; ``SHIM`` (inlined into the page
before TensorBoard's script, and allowed by its hash alone) gives it an
in-memory storage, an empty cookie string and Workers booted from a blob.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

from ..proxy.sandbox import opaque_origin_policy

# Runs before TensorBoard's bundle. Plain ES5 on purpose: it must not fail
# anywhere TensorBoard itself runs.
SHIM = """(function () {
  function memoryStorage() {
    var items = new Map();
    return {
      get length() { return items.size; },
      key: function (i) { var k = Array.from(items.keys())[i]; return k === undefined ? null : k; },
      getItem: function (k) { k = String(k); return items.has(k) ? items.get(k) : null; },
      setItem: function (k, v) { items.set(String(k), String(v)); },
      removeItem: function (k) { items.delete(String(k)); },
      clear: function () { items.clear(); }
    };
  }
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try { window[name]; return; } catch (e) {}
    Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
  });
  try { document.cookie; } catch (e) {
    Object.defineProperty(document, "cookie", {
      get: function () { return ""; }, set: function () {}, configurable: true
    });
  }
  var NativeWorker = window.Worker;
  if (NativeWorker) {
    var SandboxWorker = function (url, options) {
      try { return new NativeWorker(url, options); } catch (e) {
        if (options && options.type === "module") { throw e; }
        var src = new URL(String(url), document.baseURI).href;
        var boot = new Blob(["importScripts(" + JSON.stringify(src) + ");"],
                            { type: "text/javascript" });
        return new NativeWorker(URL.createObjectURL(boot), options);
      }
    };
    SandboxWorker.prototype = NativeWorker.prototype;
    window.Worker = SandboxWorker;
  }
})();"""

SHIM_SHA256 = base64.b64encode(hashlib.sha256(SHIM.encode()).digest()).decode()

# TensorBoard's own policy (what its server sends), without the third-party
# hosts: its script, and the shim by its hash alone.
CONTENT_SECURITY_POLICY = opaque_origin_policy(f"'unsafe-eval' 'sha256-{SHIM_SHA256}'")

# CORS for the view link: the page's origin is opaque ("null"), so every one
# of its requests is cross-origin. No credentials are involved (the link is
# the credential), hence "*" and never Allow-Credentials.
CORS_ALLOW_HEADERS = "content-type, x-tensorboard-feature-flags, x-xsrf-protected"
# Request headers TensorBoard's front end sends that its server reads.
TENSORBOARD_REQUEST_HEADERS = ("x-tensorboard-feature-flags", "x-xsrf-protected")

_FIRST_SCRIPT = re.compile(rb"<script\b", re.IGNORECASE)
_HEAD = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)


def inject_shim(html: bytes) -> bytes:
    """``html`` with ``SHIM`` inlined before its first script (or at the top of its head)."""
    tag = b"<script>" + SHIM.encode() + b"</script>"
    script = _FIRST_SCRIPT.search(html)
    if script is not None:
        return html[: script.start()] + tag + html[script.start() :]
    head = _HEAD.search(html)
    if head is not None:
        return html[: head.end()] + tag + html[head.end() :]
    return tag + html


class ViewGrants:
    """Issues and checks the grant in a TensorBoard view link (an HMAC of the job id)."""

    _LABEL = b"forgather-lab tensorboard view\x00"

    def __init__(self, secret: bytes, label: bytes = _LABEL) -> None:
        """``label`` keys one app's links apart from another's (a docs link opens no board)."""
        if len(secret) < 16:
            raise ValueError("a view-link secret needs at least 16 bytes")
        self._key = hmac.new(secret, label, hashlib.sha256).digest()

    def issue(self, job_id: str) -> str:
        """The grant of ``job_id`` (URL-safe, 43 characters)."""
        mac = hmac.new(self._key, job_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def check(self, job_id: str, grant: str) -> bool:
        """Whether ``grant`` opens ``job_id`` (constant-time)."""
        return hmac.compare_digest(self.issue(job_id).encode(), grant.encode())


def is_navigation(headers: Mapping[str, str]) -> bool:
    """A browser loading a page (not a script's or an API client's request).

    ``Sec-Fetch-Mode`` cannot be set by page script; a browser too old to send
    it is recognised by asking for HTML.
    """
    mode = headers.get("Sec-Fetch-Mode")
    if mode is not None:
        return mode == "navigate"
    return "text/html" in headers.get("Accept", "")
