"""Inference: the OpenAI-compatible server, its job kind, readiness and presets.

``server`` runs in a child process (optional extra: transformers + torch);
the other modules are core services and import neither torch nor tornado.
"""
