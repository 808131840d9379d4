"""The ``job`` block of a rendered config: what runs, where, with what.

::

    job:
      script: train.py          # or  module: package.module
      args: [--steps, 500]      # a list, or a mapping (flag -> value; true -> bare flag)
      nproc_per_node: 1         # int, or "gpu" | "cpu" | "auto"
      gpus: 0                   # GPUs to reserve (0: runs on CPU; unset: see ``default_gpus``)
      output_dir: output_models/tiny   # relative to the project directory
      cwd: .                    # relative to the project directory
      env: {KEY: value}

``JobSpec.argv()`` is what the launcher runs. Relative paths resolve against
the project directory and must stay inside it, or inside the search roots.
``JobSpec.describe()`` is its API model (``ResolvedJob``), the one place the
two are mapped; ``as_dict()`` is that model's JSON form, what the job kinds
store with a queued job.

What a config runs as follows its ``meta.config_class`` (``job_type_of``):
``type.training_script…`` trains, ``type.eval…`` / ``type.evaluation…``
evaluates, a config with no class runs as training (a plain script project),
and any other class (``type.model``, ``type.dataset``) is not run at all: it
only has overrides.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import BadRequest
from ..models.jobs import DistributedLaunch
from ..models.projects import ResolvedJob
from .paths import is_within

NPROC_WORDS = ("gpu", "cpu", "auto")
TRAINING_CLASSES = ("type.training_script",)
EVAL_CLASSES = ("type.eval", "type.evaluation")
ConfigJobType = Literal["training", "eval"]


def _is_class(config_class: str, prefixes: Sequence[str]) -> bool:
    return any(config_class == p or config_class.startswith(p + ".") for p in prefixes)


def job_type_of(config_class: str) -> ConfigJobType | None:
    """The job type Run queues for a config of ``config_class``; None: it is not run."""
    if not config_class or _is_class(config_class, TRAINING_CLASSES):
        return "training"
    if _is_class(config_class, EVAL_CLASSES):
        return "eval"
    return None


def run_refusal(config: str, config_class: str, job_type: str) -> str | None:
    """Why ``config`` cannot be queued as ``job_type`` (None when it can)."""
    runs_as = job_type_of(config_class)
    if runs_as is None:
        return (
            f"{config} is a {config_class} config: only training ({TRAINING_CLASSES[0]}…) "
            f"and evaluation ({EVAL_CLASSES[0]}…) configs run; set its values with Overrides…"
        )
    if runs_as != job_type:
        what = "an evaluation" if runs_as == "eval" else "a training"
        return (
            f"{config} is {what} config (config_class {config_class}): "
            f"queue it as job_type {runs_as!r}, not {job_type!r}"
        )
    return None


def default_gpus(
    declared: int | None, nproc_per_node: int | str, usable: int, multi_process: bool
) -> int:
    """GPUs a training / eval job reserves when the request does not say.

    What the config declares (``job.gpus``) wins. Otherwise it takes at least
    one GPU when the server has usable ones, as Forgather's scheduler does: a
    fixed worker count asks for that many (as many as there are, at most);
    ``nproc_per_node: cpu`` asks for none.
    """
    if declared is not None:
        return declared
    if usable <= 0 or nproc_per_node == "cpu":
        return 0
    if multi_process and isinstance(nproc_per_node, int):
        return max(1, min(nproc_per_node, usable))
    return 1


@dataclass(frozen=True)
class JobSpec:
    """A resolved job block."""

    script: Path | None
    module: str | None
    args: list[str]
    nproc_per_node: int | str
    gpus: int | None
    output_dir: Path
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    config_class: str = ""

    def argv(
        self,
        nproc: int = 1,
        python: str = sys.executable,
        distributed: DistributedLaunch | None = None,
    ) -> list[str]:
        """The command line. ``nproc > 1`` wraps it in ``torch.distributed.run``
        (torchrun) in standalone mode; 1 runs the interpreter directly. ``distributed``
        (one node of a multi-node run) is torchrun in rendezvous mode, whatever ``nproc``."""
        target = [str(self.script)] if self.script is not None else ["-m", str(self.module)]
        if distributed is not None:
            return [
                python,
                "-m",
                "torch.distributed.run",
                *rendezvous_args(distributed),
                *(target if self.script is not None else ["--module", str(self.module)]),
                *self.args,
            ]
        if nproc <= 1:
            return [python, *target, *self.args]
        return [
            python,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc-per-node={nproc}",
            *(target if self.script is not None else ["--module", str(self.module)]),
            *self.args,
        ]

    def describe(self) -> ResolvedJob:
        """The API model (``argv`` for a single process)."""
        return ResolvedJob(
            script=str(self.script) if self.script else None,
            module=self.module,
            args=list(self.args),
            nproc_per_node=self.nproc_per_node,
            gpus=self.gpus,
            output_dir=str(self.output_dir),
            cwd=str(self.cwd),
            env=dict(self.env),
            argv=self.argv(),
            config_class=self.config_class,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form of ``describe()``, as stored in a queued job's params."""
        return self.describe().model_dump(mode="json")

    @classmethod
    def from_resolved(cls, job: ResolvedJob) -> JobSpec:
        """Back from the stored form (what a job kind launches from)."""
        return cls(
            script=Path(job.script) if job.script else None,
            module=job.module,
            args=list(job.args),
            nproc_per_node=job.nproc_per_node,
            gpus=job.gpus,
            output_dir=Path(job.output_dir),
            cwd=Path(job.cwd),
            env=dict(job.env),
            config_class=job.config_class,
        )


#: The variables each library reads its socket interface from: NCCL (CUDA collectives),
#: Gloo (CPU collectives) and TensorPipe (RPC) each pick their own address, so all three
#: are pinned together (left alone, Gloo publishes what the hostname resolves to, which
#: /etc/hosts often maps to 127.0.1.1: peers then dial their own loopback).
SOCKET_IFNAME_VARS = ("NCCL_SOCKET_IFNAME", "GLOO_SOCKET_IFNAME", "TP_SOCKET_IFNAME")


def rendezvous_args(d: DistributedLaunch) -> list[str]:
    """torchrun's options for one node of a multi-node run.

    ``is_host`` is passed explicitly: c10d otherwise decides whether to host the
    store by comparing the endpoint with what ``gethostname()`` resolves to, which on
    Debian-style /etc/hosts is 127.0.1.1 on every node, so none would host it. For
    the same reason ``--local-addr`` names the node's address on its interface.
    """
    return [
        "--nnodes",
        str(d.nnodes),
        "--node-rank",
        str(d.node_rank),
        "--rdzv-backend=c10d",
        "--rdzv-endpoint",
        d.rdzv_endpoint,
        "--rdzv-id",
        d.rdzv_id,
        "--nproc-per-node",
        str(d.nproc_per_node),
        "--rdzv-conf",
        f"is_host={'true' if d.is_host else 'false'}",
        # Rank 0's agent publishes MASTER_ADDR for the workers' store: its hostname unless
        # told, and that resolves to loopback on such hosts too.
        *(["--local-addr", d.local_addr] if d.local_addr else []),
    ]


def socket_env(d: DistributedLaunch) -> dict[str, str]:
    """The environment pinning every collective library to the run's interface."""
    return {name: d.iface for name in SOCKET_IFNAME_VARS} if d.iface else {}


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise BadRequest(f"{where}: job.args items must be scalars, not {type(value).__name__}")


def _args(raw: Any, where: str) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [_scalar(v, where) for v in raw]
    if isinstance(raw, dict):
        out: list[str] = []
        for key, value in raw.items():
            flag = key if str(key).startswith("-") else f"--{key}"
            if value is True:
                out.append(flag)
            elif value is not None and value is not False:
                out += [flag, _scalar(value, where)]
        return out
    raise BadRequest(f"{where}: job.args must be a list or a mapping")


def _inside(base: Path, raw: Any, key: str, where: str, roots: Sequence[Path]) -> Path:
    if not isinstance(raw, str) or not raw:
        raise BadRequest(f"{where}: job.{key} must be a non-empty path")
    path = Path(os.path.normpath(base / Path(raw).expanduser()))
    real = Path(os.path.realpath(path))
    if not any(is_within(real, r) for r in roots):
        raise BadRequest(f"{where}: job.{key} {raw!r} is outside the project search roots")
    return path


def parse_job(
    block: Any,
    project_dir: Path,
    where: str,
    roots: Sequence[Path],
    stem: str,
    config_class: str = "",
) -> JobSpec | None:
    """The job block as a ``JobSpec``; None when the config has none."""
    if block is None:
        return None
    if not isinstance(block, dict):
        raise BadRequest(f"{where}: 'job' must be a mapping")
    unknown = (
        set(block)
        - {"script", "module", "args", "nproc_per_node", "gpus"}
        - {
            "output_dir",
            "cwd",
            "env",
        }
    )
    if unknown:
        raise BadRequest(f"{where}: job has unknown keys {sorted(unknown)}")
    script, module = block.get("script"), block.get("module")
    if (script is None) == (module is None):
        raise BadRequest(f"{where}: job needs exactly one of 'script' or 'module'")
    if module is not None and (
        not isinstance(module, str) or not module.replace(".", "_").isidentifier()
    ):
        raise BadRequest(f"{where}: job.module {module!r} is not a dotted module name")
    nproc = block.get("nproc_per_node", 1)
    if not (isinstance(nproc, int) and not isinstance(nproc, bool) and nproc >= 1) and (
        nproc not in NPROC_WORDS
    ):
        raise BadRequest(f"{where}: job.nproc_per_node must be >= 1 or one of {NPROC_WORDS}")
    gpus = block.get("gpus")
    if gpus is not None and (not isinstance(gpus, int) or isinstance(gpus, bool) or gpus < 0):
        raise BadRequest(f"{where}: job.gpus must be a non-negative integer")
    env = block.get("env") or {}
    if not isinstance(env, dict):
        raise BadRequest(f"{where}: job.env must be a mapping")
    cwd = _inside(project_dir, block.get("cwd", "."), "cwd", where, roots)
    return JobSpec(
        script=_inside(cwd, script, "script", where, roots) if script is not None else None,
        module=module,
        args=_args(block.get("args"), where),
        nproc_per_node=nproc,
        gpus=gpus,
        output_dir=_inside(
            project_dir,
            block.get("output_dir", f"output_models/{stem}"),
            "output_dir",
            where,
            roots,
        ),
        cwd=cwd,
        env={str(k): _scalar(v, where) for k, v in env.items()},
        config_class=config_class,
    )
