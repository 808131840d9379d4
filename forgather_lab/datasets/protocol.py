"""Names both sides of a dataset server agree on (it imports nothing: both sides use it)."""

from __future__ import annotations

#: The server's bearer token, in its job directory (0600).
TOKEN_FILE = "dataset_token"  # noqa: S105 (a file name)
#: What a job queued with ``dataset_source`` finds in its environment.
URL_ENV = "FORGATHER_DATASET_SERVER"
TOKEN_FILE_ENV = "FORGATHER_DATASET_SERVER_TOKEN_FILE"  # noqa: S105 (a variable's name)
#: Rows one ``/preview`` or ``/rows`` call answers, at most.
MAX_LIMIT = 500
