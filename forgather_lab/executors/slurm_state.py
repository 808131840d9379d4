"""Slurm's words, read: ``squeue --json`` / ``sinfo --json`` output onto our states.

Pure functions over the JSON Slurm prints (openapi v0.0.38 in 22.05 and the
newer shapes of 23.x+, where states are lists and numbers are wrapped in
``{"set": .., "number": ..}``), so they are tested without a cluster too.
"""

from __future__ import annotations

import re
from typing import Any

from .base import EngineJob, PoolNode

#: Slurm job states that still hold (or wait for) resources, by our phase.
PENDING = frozenset({"PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"})
RUNNING = frozenset(
    {
        "RUNNING",
        "CONFIGURING",
        "COMPLETING",
        "SUSPENDED",
        "STOPPED",
        "RESIZING",
        "SIGNALING",
        "STAGE_OUT",
        "POWER_UP_NODE",
        "UPDATE_DB",
    }
)
#: Ended states in which Slurm, not the command, ended the job (its 0 exit code means nothing).
ENDED_BY_SLURM = frozenset(
    {"CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY"}
)
#: What a pending reason means, in a sentence (the raw reason is kept in front).
REASONS = {
    "Resources": "waiting for free resources on the partition",
    "Priority": "jobs of higher priority are ahead in the Slurm queue",
    "Dependency": "waiting for a Slurm dependency",
    "QOSMaxGRESPerUser": "the QOS's per-user GPU limit is reached",
    "QOSMaxJobsPerUserLimit": "the QOS's per-user job limit is reached",
    "AssocGrpGRES": "the account's GPU limit is reached",
    "ReqNodeNotAvail": "a requested node is not available",
    "PartitionDown": "the partition is down",
    "BeginTime": "its start time has not come yet",
    "JobHeldUser": "held by its user",
    "JobHeldAdmin": "held by an administrator",
}


def _scalar(value: Any) -> Any:
    """23.x wraps numbers as {"set": bool, "infinite": bool, "number": n}."""
    if isinstance(value, dict) and "number" in value:
        return value["number"] if value.get("set", True) else None
    return value


def _state(job: dict[str, Any]) -> str:
    raw = job.get("job_state")
    if isinstance(raw, list):  # 23.x: a list of flags, the base state first
        raw = raw[0] if raw else ""
    return str(raw or "").upper()


def exit_status(job: dict[str, Any]) -> int | None:
    """Slurm's exit code as ours (negative: the signal), from the raw wait status or 23.x's."""
    raw = job.get("exit_code")
    if isinstance(raw, dict):  # 23.x: {"status": [...], "return_code": n, "signal": {...}}
        signal = raw.get("signal", {})
        sig = _scalar(signal.get("id")) if isinstance(signal, dict) else None
        if sig:
            return -int(sig)
        code = _scalar(raw.get("return_code"))
        return int(code) if code is not None else None
    if not isinstance(raw, int):
        return None
    if raw & 0x7F:  # killed by a signal (a wait status)
        return -(raw & 0x7F)
    return raw >> 8


def pending_reason(reason: str | None) -> str:
    """``Resources`` → ``Slurm: Resources (waiting for free resources on the partition)``."""
    if not reason or reason == "None":
        return "Slurm: pending"
    meaning = REASONS.get(reason)
    return f"Slurm: {reason} ({meaning})" if meaning else f"Slurm: {reason}"


def engine_job(job: dict[str, Any]) -> EngineJob:
    """One ``squeue --json`` job as the engine's word on it."""
    state = _state(job)
    if state in PENDING:
        phase = "pending"
    elif state in RUNNING:
        phase = "running"
    else:
        phase = "ended"
    code = exit_status(job) if phase == "ended" else None
    if code == 0 and state in ENDED_BY_SLURM:
        code = None  # stopped by Slurm (or scancel) before saying how: not a success
    node = str(job.get("nodes") or "") or None
    reason = str(job.get("state_reason") or "") or None
    return EngineJob(
        external_id=str(_scalar(job.get("job_id"))),
        state=state,
        phase=phase,
        reason=pending_reason(reason) if phase == "pending" else None,
        node=node,
        exit_code=code,
    )


def jobs_by_id(squeue: dict[str, Any]) -> dict[str, EngineJob]:
    """Every job of a ``squeue --json`` answer, by Slurm job id."""
    out = {}
    for job in squeue.get("jobs", []):
        parsed = engine_job(job)
        out[parsed.external_id] = parsed
    return out


_GRES = re.compile(r"gpu(?::([A-Za-z0-9_.-]+))?:(\d+)")


def gpu_count(gres: str | None) -> tuple[int, str]:
    """``gpu:4`` / ``gpu:a100:4(S:0-1)`` / ``gpu:(null):2(IDX:0-1)`` → (count, model)."""
    total, model = 0, "gpu"
    for part in (gres or "").replace("(null)", "").split(","):
        m = _GRES.search(part.replace("::", ":"))
        if m:
            total += int(m.group(2))
            model = m.group(1) or model
    return total, model


def pool_nodes(sinfo: dict[str, Any], partition: str | None) -> list[PoolNode]:
    """The nodes of ``partition`` (every node when None) with their GPUs, from ``sinfo --json``."""
    raw = sinfo.get("nodes")
    if raw is None:  # 23.x+: {"sinfo": [{"node": {...}, "nodes": {"nodes": [...]}, ...}]}
        raw = [
            e.get("node", {}) | {"name": n}
            for e in sinfo.get("sinfo", [])
            for n in e.get("nodes", {}).get("nodes", [])
        ]
    out = []
    seen = set()
    for node in raw:
        name = str(node.get("name") or node.get("hostname") or "")
        if not name or name in seen:
            continue
        if partition and partition not in (node.get("partitions") or []):
            continue
        seen.add(name)
        total, model = gpu_count(node.get("gres"))
        used, _ = gpu_count(node.get("gres_used"))
        state = node.get("state")
        if isinstance(state, list):
            state = ",".join(state)
        out.append(PoolNode(name, total, min(used, total), str(state or "").lower(), model))
    return out
