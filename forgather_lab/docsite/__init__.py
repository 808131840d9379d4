"""Docs jobs: a project's MkDocs site served on loopback behind the auth-gated proxy."""
