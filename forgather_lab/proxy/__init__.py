"""Same-origin proxies: browser → inference servers, browser → TensorBoard (no tornado here)."""
