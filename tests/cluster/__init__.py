"""Cluster mode on network namespaces the tests create (one Jupyter server per namespace)."""
