"""A real one-node Slurm for the tests: munged, slurmctld and slurmd in a scratch dir.

No systemd: every daemon runs in the foreground-less mode with its own files
under ``root``, is stopped by the PID it was started with, and every client
command gets ``SLURM_CONF`` from ``cluster.env``. The node has four fake GPUs
(gres.conf ``File=`` symlinks to /dev/null: Slurm refuses regular files and
drops GPUs without a ``File=``), so ``--gres=gpu:N`` schedules and
``CUDA_VISIBLE_DEVICES`` is set per job.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BINARIES = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scancel")
GPUS = 4
CPUS = 8  # more than the machine's: jobs here sleep, and several must run side by side


def missing_binaries() -> list[str]:
    """The Slurm / munge programs this machine lacks (scripts/setup-engines.sh installs them)."""
    return [b for b in BINARIES if shutil.which(b) is None and not Path("/usr/sbin", b).exists()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _which(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


@dataclass
class SlurmCluster:
    """One node, one partition ``debug``; started by ``start``, stopped by ``stop``."""

    root: Path
    host: str = field(default_factory=lambda: socket.gethostname().split(".")[0])
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    #: More slurm.conf lines (slurm_rest_cluster.py adds the JWT key with them).
    extra_conf: list[str] = field(default_factory=list)

    @property
    def conf(self) -> Path:
        return self.root / "slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        """The environment every Slurm client command needs."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def start(self, timeout: float = 30.0) -> None:
        """Write the configuration, start the daemons, wait until the node is idle."""
        self.root.mkdir(parents=True, exist_ok=True)
        for d in ("munge", "state", "spool", "log", "dev"):
            (self.root / d).mkdir(exist_ok=True)
        os.chmod(self.root / "munge", 0o700)
        munge = self.root / "munge"
        key = munge / "munge.key"
        if not key.exists():
            subprocess.run([_which("mungekey"), "-c", "-k", str(key)], check=True)
        os.chmod(key, 0o600)
        socket_path = munge / "munge.socket"
        self.procs.append(
            self._daemon(
                [
                    _which("munged"),
                    "--force",
                    f"--key-file={key}",
                    f"--socket={socket_path}",
                    f"--pid-file={munge}/munged.pid",
                    f"--log-file={munge}/munged.log",
                    f"--seed-file={munge}/munged.seed",
                    "--foreground",
                ],
                "munged",
            )
        )
        _wait_for(socket_path.exists, timeout, "munged's socket")
        devices = []
        for i in range(GPUS):
            dev = self.root / "dev" / f"nvidia{i}"
            if not dev.exists():
                dev.symlink_to("/dev/null")
            devices.append(dev)
        (self.root / "gres.conf").write_text(
            "AutoDetect=off\n"
            + "".join(f"NodeName={self.host} Name=gpu File={d}\n" for d in devices)
        )
        self.conf.write_text(
            "\n".join(
                [
                    "ClusterName=forgather-test",
                    f"SlurmctldHost={self.host}(127.0.0.1)",
                    "SlurmUser=root",
                    "SlurmdUser=root",
                    f"SlurmctldPort={_free_port()}",
                    f"SlurmdPort={_free_port()}",
                    f"AuthInfo=socket={socket_path}",
                    "AuthType=auth/munge",
                    "CredType=cred/munge",
                    f"StateSaveLocation={self.root / 'state'}",
                    f"SlurmdSpoolDir={self.root / 'spool'}",
                    f"SlurmctldPidFile={self.root / 'slurmctld.pid'}",
                    f"SlurmdPidFile={self.root / 'slurmd.pid'}",
                    f"SlurmctldLogFile={self.root / 'log' / 'slurmctld.log'}",
                    f"SlurmdLogFile={self.root / 'log' / 'slurmd.log'}",
                    "ProctrackType=proctrack/linuxproc",
                    "TaskPlugin=task/none",
                    "JobAcctGatherType=jobacct_gather/none",
                    "AccountingStorageType=accounting_storage/none",
                    "SelectType=select/cons_tres",
                    "SelectTypeParameters=CR_Core",
                    "GresTypes=gpu",
                    "ReturnToService=2",
                    "MinJobAge=30",
                    "KillWait=2",
                    "SchedulerParameters=batch_sched_delay=0,sched_min_interval=0",
                    "SchedulerType=sched/backfill",
                    "MpiDefault=none",
                    # The node declares more CPUs than the machine has: the jobs sleep.
                    "SlurmdParameters=config_overrides",
                    f"NodeName={self.host} NodeAddr=127.0.0.1 CPUs={CPUS} RealMemory=20000 "
                    f"Gres=gpu:{GPUS} State=UNKNOWN",
                    f"PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE "
                    "State=UP OverSubscribe=NO",
                    *self.extra_conf,
                    "",
                ]
            )
        )
        self.procs.append(self._daemon([_which("slurmctld"), "-D", "-f", str(self.conf)], "ctld"))
        self.procs.append(self._daemon([_which("slurmd"), "-D", "-f", str(self.conf)], "slurmd"))
        _wait_for(self.node_idle, timeout, "the Slurm node to be idle")

    def _daemon(self, argv: list[str], name: str) -> subprocess.Popen[bytes]:
        out = open(self.root / "log" / f"{name}.out", "ab")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
        )
        out.close()
        return proc

    def node_idle(self) -> bool:
        """Whether the node is up and idle (so jobs start at once)."""
        done = subprocess.run(
            ["sinfo", "--json"], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            return False
        try:
            nodes = json.loads(done.stdout).get("nodes", [])
        except ValueError:
            return False
        # 22.05 (openapi v0.0.38): "state" is one lower-case word per node.
        states = {str(n.get("state", "")).lower() for n in nodes}
        return states == {"idle"}

    def run(self, *argv: str) -> str:
        """A client command's stdout (raises on failure)."""
        return subprocess.run(
            list(argv), env=self.env, capture_output=True, text=True, check=True
        ).stdout

    def _jobs_active(self) -> bool:
        try:
            jobs = json.loads(self.run("squeue", "--json")).get("jobs", [])
        except (subprocess.CalledProcessError, OSError, ValueError):
            return False
        return any(str(j.get("job_state")) in ("RUNNING", "COMPLETING", "PENDING") for j in jobs)

    def stop(self) -> None:
        """Cancel every job, then stop the daemons we started (by their PIDs, never by name)."""
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            self.run("scancel", "--user", "root")
        # Let the jobs' step daemons finish before slurmd goes: one left without its
        # slurmd would wait forever.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self._jobs_active():
            time.sleep(0.2)
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def _wait_for(check: object, timeout: float, what: str) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")
