"""Hostile payloads and the traps that tell whether one of them ran in the Lab.

Every payload's script sets ``window.__xss`` (or calls ``alert``): the init
script turns both into recorded hits, in every frame, before any page script
runs. A DOM scan then catches what would run later (an ``on*`` handler or a
``javascript:`` URL that reached an element but has not fired yet).
"""

from __future__ import annotations

from typing import Any

IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
SVG = "<svg onload=window.__xss=1>"
SCRIPT = '"><script>window.__xss=1</script>'
JS_URL = "javascript:window.__xss=1"
TEXTAREA = "</textarea><img src=x onerror=window.__xss=1>"
DETAILS = "<details open ontoggle=window.__xss=1>"
MD_LINK = "[x](javascript:window.__xss=1)"
OSC8 = "\x1b]8;;javascript:window.__xss=1\x1b\\click-me\x1b]8;;\x1b\\"
OSC_TITLE = "\x1b]0;<img src=x onerror=window.__xss=1>\x07"
MARKUP = (IMG, SVG, SCRIPT, TEXTAREA, DETAILS)

TRAP = """
(() => {
  const hits = [];
  Object.defineProperty(window, '__xssHits', { value: hits });
  Object.defineProperty(window, '__xss', {
    configurable: false,
    get() { return hits.length ? hits.length : undefined; },
    set(v) { hits.push('__xss=' + String(v) + ' ' + String(new Error().stack).slice(0, 400)); },
  });
  for (const name of ['alert', 'confirm', 'prompt']) {
    window[name] = (...args) => {
      hits.push(name + '(' + args.map(String).join(', ').slice(0, 200) + ')');
      return name === 'confirm' ? false : null;
    };
  }
})();
"""

# Handlers or script URLs carrying a payload that reached the DOM (fired or not).
SCAN = r"""
() => {
  const bad = [];
  const walk = root => {
    for (const el of root.querySelectorAll('*')) {
      for (const a of el.attributes) {
        const n = a.name.toLowerCase();
        const v = a.value.trim().toLowerCase();
        const handler = n.startsWith('on') && v.includes('__xss');
        // A payload inside a URL is inert text (a heading's `#<svg…>` anchor); a script URL is not.
        const url = (['href', 'src', 'xlink:href', 'action', 'formaction', 'data'].includes(n)
          && /^(javascript|vbscript|data:text\/html)/.test(v.replace(/[\s\x00-\x1f]/g, '')))
          || (n === 'srcdoc' && v.includes('__xss'));
        if (handler || url) {
          bad.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 80));
        }
      }
      if (el.tagName === 'SCRIPT' && el.textContent.includes('__xss')) {
        bad.push('SCRIPT ' + el.textContent.slice(0, 80));
      }
      if (el.shadowRoot) {
        walk(el.shadowRoot);
      }
    }
  };
  walk(document);
  return bad;
}
"""


class XssWatch:
    """Arms a page against the payloads and says, per surface, whether any ran."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.popups: list[str] = []
        page.add_init_script(TRAP)
        page.on("dialog", self._dialog)
        page.context.on("page", lambda p: self.popups.append(p.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_clean(self, surface: str) -> None:
        """No payload ran in any frame, no dialog or popup, no live handler in the DOM."""
        self.page.wait_for_timeout(300)  # let a late onerror/onload fire first
        for frame in self.page.frames:
            try:
                hits = frame.evaluate("() => [window.__xss, window.__xssHits || []]")
                found = frame.evaluate(SCAN)
            except Exception as e:  # a frame that went away while we looked
                if "detached" in str(e) or "destroyed" in str(e):
                    continue
                raise
            assert hits[0] in (None, 0), f"{surface}: script ran in {frame.url}: {hits[1]}"
            assert not found, f"{surface}: live payload in the DOM of {frame.url}: {found}"
        assert not self.dialogs, f"{surface}: dialogs opened: {self.dialogs}"
        assert not self.popups, f"{surface}: windows opened: {self.popups}"
