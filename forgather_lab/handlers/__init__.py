"""The HTTP layer: thin tornado handlers over the core services."""
