"""Where multi-node bundles are kept: a JSON file per bundle on every participant.

A bundle's record is written on the node that took the request and on every
participant (``PUT /peer/v1/bundles/{id}``), so any of them shows it and no
single node going down (the master included) loses it; ``GET /cluster/jobs``
merges this node's with every reachable peer's. Files live under
``<state_dir>/cluster/bundles`` (0600, replaced atomically); a bundle is a
handful of fields, read rarely, so a table of the state database would buy
nothing but a migration.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import BadRequest, NotFound
from ..jobfiles import read_text, write_private
from ..models.cluster_jobs import DescribeClusterJob, ListClusterJobs
from . import identity

log = logging.getLogger("forgather_lab")

#: What a bundle id is (``cj-`` and 12 hex digits are minted); also its file name.
BUNDLE_ID = r"cj-[0-9a-f]{12}"
_ID = re.compile(BUNDLE_ID)

Query = dict[str, list[str]]
Handler = Callable[[re.Match[str], bytes, Query], Awaitable[Any]]


def valid_id(bundle_id: str) -> bool:
    """Whether ``bundle_id`` is one this module mints (so it is safe as a file name)."""
    return _ID.fullmatch(bundle_id) is not None


class BundleStore:
    """This node's copies of the bundles it took or takes part in (blocking: run in a thread)."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir

    @property
    def _where(self) -> Path:
        """The folder, not created (a read on a standalone node leaves nothing behind)."""
        return self.state_dir / "cluster" / "bundles"

    @property
    def dir(self) -> Path:
        path = identity.cluster_dir(self.state_dir) / "bundles"
        path.mkdir(mode=0o700, exist_ok=True)
        return path

    def put(self, bundle: DescribeClusterJob) -> None:
        """Write (or replace) one bundle's record."""
        if not valid_id(bundle.id):
            raise BadRequest(f"Not a bundle id: {bundle.id!r}")
        write_private(self.dir / f"{bundle.id}.json", bundle.model_dump_json())

    def get(self, bundle_id: str) -> DescribeClusterJob | None:
        """One bundle, or None when this node keeps no copy."""
        if not valid_id(bundle_id):
            return None
        try:
            return DescribeClusterJob.model_validate_json(
                read_text(self._where / f"{bundle_id}.json")
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, ValidationError) as e:
            log.warning("Unreadable bundle record %s: %s", bundle_id, e)
            return None

    def all(self) -> list[DescribeClusterJob]:
        """Every bundle kept here, newest first."""
        found = (self.get(p.stem) for p in self._where.glob("cj-*.json"))
        return sorted((b for b in found if b is not None), key=lambda b: b.created, reverse=True)

    def delete(self, bundle_id: str) -> None:
        """Forget one bundle (a submission rolled back); nothing if there is none."""
        if valid_id(bundle_id):
            with contextlib.suppress(FileNotFoundError):
                (self._where / f"{bundle_id}.json").unlink()


class PeerBundles:
    """The inter-node operations on bundles (below ``/peer/v1``, mTLS only).

    * ``GET /bundles``: every bundle kept here;
    * ``PUT /bundles/{id}``: keep this copy of a bundle (a participant's node sends it);
    * ``DELETE /bundles/{id}``: forget it (a submission rolled back).
    """

    def __init__(self, store: BundleStore) -> None:
        self.store = store

    def routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        return [
            ("GET", re.compile(r"/bundles"), self._list),
            ("PUT", re.compile(rf"/bundles/({BUNDLE_ID})"), self._put),
            ("DELETE", re.compile(rf"/bundles/({BUNDLE_ID})"), self._delete),
        ]

    async def _list(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        return ListClusterJobs(jobs=await asyncio.to_thread(self.store.all))

    async def _put(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        try:
            bundle = DescribeClusterJob.model_validate(json.loads(body or b"{}"))
        except (ValueError, ValidationError) as e:
            raise BadRequest(f"Bad bundle record: {str(e).splitlines()[0]}") from e
        if bundle.id != m.group(1):
            raise BadRequest(f"The record is bundle {bundle.id}, not {m.group(1)}")
        await asyncio.to_thread(self.store.put, bundle)
        return bundle

    async def _delete(self, m: re.Match[str], body: bytes, q: Query) -> BaseModel:
        bundle = await asyncio.to_thread(self.store.get, m.group(1))
        if bundle is None:
            raise NotFound(f"No bundle {m.group(1)} here")
        await asyncio.to_thread(self.store.delete, m.group(1))
        return bundle
