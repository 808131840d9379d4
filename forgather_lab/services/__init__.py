"""Auto-start services: declared long-running jobs kept running across restarts."""
