"""Why a queued job is not running, in sentences a user understands.

Each function states a fact about the pass that just ran ("needs 4 GPUs,
2 idle" counts the cards idle after that pass's starts), never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from .model import Reservation
from .packing import CardState, Pool

PAUSED = "scheduler paused"


def gib(mib: int) -> str:
    """MiB as people read it: "8 GiB", "4.9 GiB", "512 MiB"."""
    if mib < 1024:
        return f"{mib} MiB"
    value = mib / 1024
    return f"{value:.0f} GiB" if value == int(value) else f"{value:.1f} GiB"


def gpu_list(indices: Iterable[int]) -> str:
    """ "GPU 2", "GPU 2 and 3", "GPU 0-3 and 6" (runs of three or more collapse)."""
    runs: list[list[int]] = []
    for i in sorted(set(indices)):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]}-{run[-1]}")
        else:
            parts.extend(str(i) for i in run)
    return "GPU " + _and(parts)


def jobs_phrase(job_ids: Sequence[str], most: int = 3) -> str:
    """ "job a", "jobs a and b", "jobs a, b, c and 2 more"."""
    if len(job_ids) == 1:
        return f"job {job_ids[0]}"
    shown = list(job_ids[:most])
    if len(job_ids) > most:
        shown.append(f"{len(job_ids) - most} more")
    return "jobs " + _and(shown)


def gpus_count(n: int) -> str:
    return f"{n} GPU" if n == 1 else f"{n} GPUs"


def in_about(seconds: float) -> str:
    """A coarse "in about 12 min" (coarse so the sentence does not change every pass)."""
    if seconds < 60:
        return "in under a minute"
    if seconds < 3600:
        return f"in about {round(seconds / 60)} min"
    return f"in about {seconds / 3600:.1f} h"


def waiting_for(job_ids: Sequence[str]) -> str:
    return f"waiting for {jobs_phrase(job_ids)} to finish"


def dependency_ended(job_id: str, status: str | None) -> str:
    if status is None:
        return f"dependency {job_id} was deleted without ending done"
    return f"dependency {job_id} ended {status}"


def blocked(pool: Pool, want: int, priority: int, mib: int | None) -> str:
    """Why a job needing ``want`` cards (``mib`` each, None: whole) does not fit now."""
    visible = [c for c in pool.cards if not c.card.excluded]
    need = gpus_count(want)
    if want > len(visible):
        return f"needs {need}; this server has {len(visible)}"
    usable = [c for c in visible if c.usable]
    if want > len(usable):
        off = [c.index for c in visible if not c.usable]
        return f"needs {need}, {len(usable)} enabled ({gpu_list(off)} disabled)"
    allowed = [c for c in usable if c.gate <= priority]
    if want > len(allowed):
        return f"needs {need}; {_gates([c for c in usable if c.gate > priority])}"
    if mib is not None:
        return _memory(allowed, want, mib)
    idle = sum(1 for c in allowed if c.empty)
    text = f"needs {need}, {idle} idle"
    gated_idle = [c for c in usable if c.empty and c.gate > priority]
    if gated_idle:
        text += f"; idle {_gates(gated_idle)}"
    return text


def held(reservation: Reservation, now: float) -> str:
    """Why a job that would fit is kept off the reserved cards."""
    where = gpu_list(reservation.gpus)
    if reservation.preemption:
        detail = f"{where} while it preempts lower-priority jobs"
    elif math.isinf(reservation.earliest_start):
        detail = (
            f"{where} until jobs without a time limit end; only jobs with a time limit "
            "may use them meanwhile"
        )
    else:
        detail = (
            f"{where}, free {in_about(reservation.earliest_start - now)}; only jobs whose "
            "time limit ends by then may use them"
        )
    return f"held for job {reservation.job_id} (reservation on {detail})"


def holding(base: str, reservation: Reservation, now: float) -> str:
    """The reservation holder's own reason: why it waits, and what it holds."""
    where = gpu_list(reservation.gpus)
    if math.isinf(reservation.earliest_start):
        unknown = "start unknown: jobs without a time limit hold them"
        return f"{base}; holds a reservation on {where} ({unknown})"
    start = in_about(reservation.earliest_start - now)
    return f"{base}; holds a reservation on {where}, expected to start {start}"


def user_gpu_limit(owner: str, held: int, limit: int, want: int) -> str:
    """A job whose owner's running jobs already hold what ``user_gpu_limit`` allows."""
    if want > limit:
        return f"needs {gpus_count(want)}, more than user_gpu_limit ({limit}) lets {owner} hold"
    return f"{owner} holds {held} of the {limit} GPUs a user may hold (user_gpu_limit)"


def preempting(victims: Sequence[str], gpus: Iterable[int]) -> str:
    return f"waiting for {gpu_list(gpus)}: preempting {jobs_phrase(victims)}"


def _memory(allowed: list[CardState], want: int, mib: int) -> str:
    each = "one GPU" if want == 1 else f"each of {want} GPUs"
    big = [c for c in allowed if c.could_ever_fit(mib)]
    if len(big) < want:
        sizes = [c.card.total_mib for c in allowed if c.card.total_mib is not None]
        if want == 1 or not big:
            return f"needs {gib(mib)} on {each}; the largest GPU it may use has {gib(max(sizes))}"
        return f"needs {gib(mib)} on {each}; only {len(big)} of its GPUs have that much memory"
    fitting = sum(1 for c in allowed if c.fits(mib))
    if want > 1:
        verb = "has" if fitting == 1 else "have"
        return f"needs {gib(mib)} on {each}, {fitting} {verb} that free"
    known = [left for c in allowed if (left := c.avail()) is not None]
    if not known or max(known) == 0:
        return f"needs {gib(mib)} on one GPU, none free (each is used whole or full)"
    return f"needs {gib(mib)} on one GPU, at most {gib(max(known))} free"


def _gates(cards: list[CardState]) -> str:
    """ "GPU 2 and 3 need priority ≥ 5, GPU 7 needs priority ≥ 10"."""
    by_gate: dict[int, list[int]] = {}
    for c in cards:
        by_gate.setdefault(c.gate, []).append(c.index)
    parts = []
    for gate, indices in sorted(by_gate.items()):
        verb = "needs" if len(indices) == 1 else "need"
        parts.append(f"{gpu_list(indices)} {verb} priority ≥ {gate}")
    return ", ".join(parts)


def _and(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
