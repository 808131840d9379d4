"""Dataset servers: a service kind serving datasets over loopback HTTP, and their registry."""
