"""``python -m forgather_lab.hub [--ForgatherLab.x=...]``: the Hub service (see service.py)."""

from __future__ import annotations

import sys

from .service import main

if __name__ == "__main__":
    sys.exit(main())
