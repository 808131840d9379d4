"""Every setting of Forgather Lab, declared once.

``ForgatherLabSettings`` is a plain traitlets ``Configurable`` (no Jupyter
server in sight) that answers to the ``ForgatherLab`` config section, so the
same ``c.ForgatherLab.x = ...`` / ``--ForgatherLab.x=...`` configure the
server extension (``app.ForgatherLab`` inherits these traits) and any other
host of the runtime, such as a JupyterHub service.

The replaceable parts are ``Type()`` traits with an abstract ``klass``
(``LazyType``: imported when read): the GPU backend and the job executor. Job kinds come from the
``forgather_lab.job_kinds`` entry-point group (see ``jobs/kinds.py``).

Over 500 lines on purpose: one trait per setting with its help text (what
``--help-all`` prints; ``docs/settings.md`` must list each, see
``tests/test_settings_doc.py``), all in the one ``ForgatherLab`` section.
Mixins by area would scatter that section over several classes while the
user still configures it as one.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from traitlets import (
    Bool,
    Dict,
    Enum,
    Float,
    Int,
    List,
    TraitError,
    Type,
    Unicode,
    default,
    validate,
)
from traitlets.config import Configurable

SECTION = "ForgatherLab"


class LazyType(Type):  # type: ignore[type-arg]
    """A ``Type`` that imports the classes it names when a value is set or read.

    traitlets' ``Type`` imports them when the settings object is made; the
    executor's module brings every model (and pydantic) with it, which a
    server's start does not need (issue 19).
    """

    def instance_init(self, obj: Any) -> None:
        pass  # not yet: see validate and default

    def validate(self, obj: Any, value: Any) -> Any:
        self._resolve_classes()
        return super().validate(obj, value)

    def default(self, obj: Any = None) -> Any:
        self._resolve_classes()
        return super().default(obj)


class ForgatherLabSettings(Configurable):
    """The settings of the Forgather Lab runtime (config section ``ForgatherLab``)."""

    @classmethod
    def section_names(cls) -> list[str]:
        # Read c.ForgatherLab whatever the concrete class is called, so a host
        # other than the server extension takes the same configuration.
        names: list[str] = super().section_names()
        return [SECTION, *(n for n in names if n != SECTION)]

    state_dir = Unicode(
        help="Directory holding the state database and job logs (created 0700). "
        "Defaults to <jupyter data dir>/forgather_lab."
    ).tag(config=True)

    search_roots = List(
        Unicode(),
        help="Directories searched for workspaces and projects. Relative paths are "
        "taken from the server's root_dir.",
    ).tag(config=True)

    gpu_backend = Enum(
        ["auto", "nvml", "simulated"],
        default_value="auto",
        help="'auto' uses NVML when a driver answers and otherwise reports no GPUs; "
        "'nvml' requires it; 'simulated' gives simulated_gpus fake cards (marked simulated). "
        "Ignored when gpu_backend_class is set.",
    ).tag(config=True)

    gpu_backend_class = LazyType(
        default_value=None,
        klass="forgather_lab.gpus.backend.GpuBackend",
        allow_none=True,
        help="A GpuBackend subclass (or its import path) to use instead of the one "
        "gpu_backend names; it is built with GpuBackendClass.from_settings(settings).",
    ).tag(config=True)

    executor_class = LazyType(
        default_value="forgather_lab.executors.local.LocalExecutor",
        klass="forgather_lab.executors.base.Executor",
        help="Where job processes run: an Executor subclass (or its import path). "
        "The default runs them on this machine, each in its own session.",
    ).tag(config=True)

    executor = Unicode(
        "",
        help="Where jobs run, by name: 'local' (this machine), 'slurm' (sbatch / squeue with "
        "the server's SLURM_CONF), 'ray' (the Ray Job Submission API at ray_address), or an "
        "Executor class path. Empty: executor_class decides (local by default).",
    ).tag(config=True)

    slurm_partition = Unicode(
        "", help="Slurm partition jobs are submitted to (empty: the cluster's default)."
    ).tag(config=True)

    slurm_account = Unicode("", help="Slurm account (--account) for every job.").tag(config=True)

    slurm_qos = Unicode("", help="Slurm QOS (--qos) for every job.").tag(config=True)

    slurm_time = Unicode(
        "",
        help="Slurm time limit (--time, e.g. '04:00:00') for jobs without a time_limit "
        "of their own.",
    ).tag(config=True)

    slurm_extra_args = List(
        Unicode(), help="More sbatch arguments for every job (e.g. ['--constraint=a100'])."
    ).tag(config=True)

    slurm_rest_url = Unicode(
        "",
        help="slurmrestd's URL (e.g. 'http://slurm-head:6820'), to submit, poll, cancel "
        "and list nodes through its REST API (v0.0.38, JWT) instead of the client commands. "
        "Needs slurm_rest_token_file.",
    ).tag(config=True)

    slurm_rest_token_file = Unicode(
        "",
        help="A file only its owner can read (0600) holding the JWT slurmrestd accepts "
        "(scontrol token username=USER lifespan=SECONDS); read for each request.",
    ).tag(config=True)

    slurm_rest_user = Unicode(
        "",
        help="The Slurm user the JWT belongs to (X-SLURM-USER-NAME). Empty: the server's user.",
    ).tag(config=True)

    engine_poll_interval = Float(
        2.0, help="Seconds between polls of the Slurm or Ray engine (one call for every job)."
    ).tag(config=True)

    ray_address = Unicode(
        "http://127.0.0.1:8265",
        help="The Ray cluster's job API (dashboard) address, for executor = 'ray'.",
    ).tag(config=True)

    ray_max_running = Int(
        16,
        help="The most jobs handed to Ray at once (each Ray job's supervisor costs memory "
        "on the head node).",
    ).tag(config=True)

    engine_bind_host = Unicode(
        "node",
        help="Where a job's own server (inference, TensorBoard) listens when it runs on a "
        "Slurm or Ray node: 'node' = the one address of the node the server's URL is "
        "routed through (never every interface), or a literal IP ('0.0.0.0': all). "
        "Local jobs always listen on loopback.",
    ).tag(config=True)

    engine_nodes = List(
        Unicode(),
        help="More hosts the proxies may reach engine jobs' servers at, besides the "
        "engine pool's node names and their addresses (e.g. Ray nodes' IPs).",
    ).tag(config=True)

    public_url = Unicode(
        "",
        help="The server's URL as compute nodes reach it (jobs on Slurm or Ray call back "
        "to it for progress and control). Empty: the loopback URL the server listens on.",
    ).tag(config=True)

    allow_search_roots_outside_root_dir = Bool(
        False,
        help="Allow search roots outside the Jupyter server's root_dir (files there cannot "
        "be opened in JupyterLab's editor).",
    ).tag(config=True)

    seed_examples = Bool(
        True,
        help="On first start, copy the example workspace into <root_dir>/forgather-examples "
        "and register it as a search root.",
    ).tag(config=True)

    simulated_gpus = Int(4, help="How many cards the simulated backend reports (0-64).").tag(
        config=True
    )

    scheduler_enabled = Bool(
        True, help="Whether the scheduler dispatches queued jobs at start (pause/resume later)."
    ).tag(config=True)

    dispatch_safety_tick = Float(
        30.0,
        help="Seconds between dispatch passes when no event woke the scheduler (a safety "
        "net: dispatch is event-driven).",
    ).tag(config=True)

    reservation_after = Float(
        600.0,
        help="Seconds the highest-priority job that cannot start waits before it holds a "
        "reservation on the GPUs that free first (0 = at once). Lower-priority jobs may "
        "still use those GPUs only if their time_limit ends before the reservation's start.",
    ).tag(config=True)

    preemption_min_priority = Int(
        100,
        help="The priority a queued job needs to preempt running jobs marked preemptible "
        "(only those of strictly lower priority; they save-stop and are requeued).",
    ).tag(config=True)

    kill_timeout = Float(
        10.0, help="Seconds a kill waits after SIGTERM before reporting survivors."
    ).tag(config=True)

    max_sweep_size = Int(
        1000,
        help="The most jobs one POST /queue/sweep may create (the grid's points, 1-10000).",
    ).tag(config=True)

    stop_grace = Float(
        60.0,
        help="Seconds a job stopped by its time limit or by preemption has, after the "
        "save-stop request, to save and exit before it is killed (a job without a reporter: "
        "preemption sends SIGTERM at once and SIGKILL when this is up).",
    ).tag(config=True)

    job_env_passthrough = List(
        Unicode(),
        help="Names (or fnmatch patterns, e.g. 'WANDB_*') of server environment variables "
        "passed to jobs besides the built-in allow-list (PATH, HOME, USER, LANG, LC_*, TERM, "
        "TZ, CUDA / NCCL / virtualenv variables). The server's tokens are never passed.",
    ).tag(config=True)

    gpu_sample_interval = Float(
        2.0,
        help="Seconds between GPU telemetry samples published to live viewers (one sampler "
        "for every viewer; it runs only while someone watches).",
    ).tag(config=True)

    inference_proxy_loopback_only = Bool(
        True,
        help="Lock the inference proxy (/forgather/api/inference/*?base=) to loopback "
        "upstreams (localhost, 127.0.0.0/8, ::1; names are not resolved). The http/https "
        "scheme guard applies either way.",
    ).tag(config=True)

    tensorboard_allow_bind_all = Bool(
        True,
        help="Let tensorboard jobs ask for bind_all (listen on every interface too, with no "
        "authentication: anyone who can reach the port reads the metrics). False: such a "
        "job is a 400 and TensorBoard is only ever reached through the auth-gated proxy.",
    ).tag(config=True)

    dataset_paths = List(
        Unicode(),
        help="Directories whose files dataset_server jobs may serve (relative paths start at "
        "the server's root_dir). Empty: the root_dir alone.",
    ).tag(config=True)

    dataset_hf_cache_dir = Unicode(
        "",
        help="The Hugging Face datasets cache a dataset_server job serves with hf_cache: true. "
        "Empty: where the datasets package caches ($HF_DATASETS_CACHE, else "
        "$HF_HOME/datasets, else ~/.cache/huggingface/datasets).",
    ).tag(config=True)

    dataset_servers_loopback_only = Bool(
        True,
        help="Allow only loopback URLs (localhost, 127.0.0.0/8, ::1; names are not resolved) "
        "for dataset servers added by URL (POST /dataset-servers), which jobs and the dataset "
        "proxy then reach. The http/https scheme guard applies either way.",
    ).tag(config=True)

    services = Dict(
        help="Auto-start services: {type: {name: {enabled, priority, requested_gpus, "
        "...job_params}}}, e.g. {'inference': {'tiny': {'enabled': True, 'model_path': "
        "'/models/tiny'}}}. Started at server start unless a job with the same signature "
        "(type + normalised args) is already queued or running.",
    ).tag(config=True)

    endpoint_ready_timeout = Float(
        900.0, help="Seconds an inference / TensorBoard job may take to answer its health URL."
    ).tag(config=True)

    webhook_urls = List(
        Unicode(),
        help="URLs that get an HMAC-signed JSON POST when a job reaches a terminal state "
        "(retried with backoff; never blocks the scheduler).",
    ).tag(config=True)

    webhook_secret_file = Unicode(
        "",
        help="A file (mode 0600) holding the webhook HMAC key; deliveries carry "
        "X-Forgather-Signature: sha256=<hex>. Set it whenever webhook_urls are set.",
    ).tag(config=True)

    gc_thresholds = List(
        Int(),
        [50_000, 20, 10],
        help="The server's garbage-collector thresholds (gc.set_threshold), set with a "
        "gc.freeze() of everything built at start once the extension has started; [] keeps "
        "Python's own (700, 10, 10), under which a deep queue costs a full collection every "
        "few requests (see forgather_lab/collector.py).",
    ).tag(config=True)

    events_max_connections = Int(
        32,
        help="Open /forgather/api/events streams allowed per client address (every Lab tab "
        "and notebook widget holds one; on a laptop they all come from 127.0.0.1).",
    ).tag(config=True)

    streams_max_connections = Int(
        64,
        help="Open WebSocket streams (job log follows /jobs/{id}/tty?follow=1 and the GPU "
        "stream /gpus/stream, counted together across all jobs) allowed per client address; "
        "one more is refused at the handshake with a 429.",
    ).tag(config=True)

    events_heartbeat = Float(
        15.0, help="Seconds between SSE keep-alive comments on /forgather/api/events."
    ).tag(config=True)

    log_ttl = Float(
        30 * 86400.0,
        help="Seconds a finished job's log is kept: housekeeping then replaces it with a "
        "one-line note (the job record, metrics and provenance stay). 0 keeps logs forever.",
    ).tag(config=True)

    housekeeping_interval = Float(
        3600.0,
        help="Seconds between housekeeping sweeps (log_ttl); the first runs at server start.",
    ).tag(config=True)

    # -- a shared pool (issue 15: identity, ownership, fair sharing) ---------

    mode = Unicode(
        "single",
        help="'single': one user's own Jupyter server (every request is that user, an "
        "admin). 'hub': a pool shared by the users of a JupyterHub; jobs have owners.",
    ).tag(config=True)

    admin_groups = List(
        Unicode(),
        default_value=[],
        help="In hub mode, members of these Hub groups are admins (as Hub admins are).",
    ).tag(config=True)

    user_gpu_limit = Int(
        0, help="GPUs one user's running jobs may hold at once (0: no limit)."
    ).tag(config=True)

    user_queue_limit = Int(
        0, help="Queued jobs one user may have at once; beyond it a submit is a 429 (0: no limit)."
    ).tag(config=True)

    fair_share_half_life = Float(
        86400.0,
        help="Half-life in seconds of the GPU-seconds that order users' jobs of equal priority.",
    ).tag(config=True)

    # -- jobs run as their owners (issue 15, item 3) -------------------------

    run_as_owner = Bool(
        True,
        help="In hub mode, with the service run as root and the local executor: run each "
        "job's command as its owner's local account (uid, gid, groups, HOME). False: every "
        "job runs as the service's user. GET /health says whether it is in effect and why.",
    ).tag(config=True)

    run_as_owner_fallback = Bool(
        False,
        help="What a job whose owner has no local account does while run_as_owner is in "
        "effect: False fails it at dispatch, naming the user; True runs it as the "
        "service's user (root).",
    ).tag(config=True)

    user_map = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        default_value={},
        help="Hub user name -> local account name, for users whose account is named "
        "otherwise (run_as_owner). Unmapped users run as the account of their own name.",
    ).tag(config=True)

    # -- a user's server of a Hub using the shared pool (issue 15, item 5) -----

    hub_service = Unicode(
        "",
        help="In a JupyterHub user's server: the name of the Hub's Forgather service (e.g. "
        "'forgather'). The queue, jobs, GPUs, events, control and proxies are then the "
        "service's shared pool, reached with the server's own Hub token; projects, configs "
        "and files stay in this server, which runs no scheduler of its own. '': a pool of "
        "this server's own.",
    ).tag(config=True)

    hub_service_url = Unicode(
        "",
        help="With hub_service: where this server reaches the service, as "
        "http(s)://HOST:PORT/services/<name>/ (e.g. through the Hub's proxy). '': ask the "
        "Hub API for the service's URL (the server token needs "
        "read:services!service=<name>).",
    ).tag(config=True)

    # -- cluster mode (issue 16; docs/cluster.md) --------------------------------

    cluster = Unicode(
        "",
        help="Join the cluster of this name: advertise on mDNS (_forgather._tcp.local.), peer "
        "with servers of the same name over mutual TLS. Empty: standalone (no listener, "
        "no mDNS).",
    ).tag(config=True)

    cluster_addresses = List(
        Unicode(),
        help="IPv4 addresses to advertise to peers. Empty: every address of a real interface "
        "(docker*, br-*, veth*, tun*, tap*, wg* and other virtual ones left out), else "
        "127.0.0.1 with a warning.",
    ).tag(config=True)

    cluster_port = Int(
        0, help="Port of the inter-node (mTLS) listener; 0: any free port, advertised on mDNS."
    ).tag(config=True)

    cluster_tls_dir = Unicode(
        "",
        help="Directory with ca.crt, node.crt and node.key (0600), as `forgather-lab tls "
        "issue` writes it. Empty: <state_dir>/cluster/tls.",
    ).tag(config=True)

    cluster_pull_interval = Float(
        5.0, help="Seconds between pulls of every known peer's member table."
    ).tag(config=True)

    cluster_unreachable_after = Float(
        15.0,
        help="Seconds without a direct answer after which a peer is marked unreachable "
        "(it stays listed).",
    ).tag(config=True)

    @validate("cluster")
    def _check_cluster(self, proposal: dict[str, Any]) -> str:
        import re

        value = str(proposal["value"]).strip()
        if value and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}", value):
            raise TraitError(
                f"cluster must be a name of letters, digits, '.', '_' or '-' (1-63), not {value!r}"
            )
        return value

    @validate("cluster_addresses")
    def _check_cluster_addresses(self, proposal: dict[str, Any]) -> list[str]:
        import ipaddress

        out = []
        for raw in proposal["value"]:
            try:
                out.append(str(ipaddress.IPv4Address(str(raw).strip())))
            except ValueError:
                raise TraitError(f"cluster_addresses takes IPv4 addresses, not {raw!r}") from None
        return out

    @validate("cluster_port")
    def _check_cluster_port(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 0 <= value <= 65535:
            raise TraitError(f"cluster_port must be 0-65535, not {value}")
        return value

    @validate("gc_thresholds")
    def _check_gc_thresholds(self, proposal: dict[str, Any]) -> list[int]:
        value = [int(v) for v in proposal["value"]]
        if value and (len(value) != 3 or min(value) < 1):
            raise TraitError(f"gc_thresholds takes [] or three positive counts, not {value}")
        return value

    @validate("cluster_pull_interval", "cluster_unreachable_after")
    def _check_cluster_seconds(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0 < value < float("inf"):
            raise TraitError(f"{proposal['trait'].name} must be positive seconds, not {value}")
        return value

    @validate("mode")
    def _check_mode(self, proposal: dict[str, Any]) -> str:
        value = str(proposal["value"])
        if value not in ("single", "hub"):
            raise TraitError(f"mode must be 'single' or 'hub', not {value!r}")
        return value

    @validate("user_gpu_limit", "user_queue_limit")
    def _check_user_limit(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"{proposal['trait'].name} must be 0 (no limit) or more, not {value}")
        return value

    @validate("fair_share_half_life")
    def _check_half_life(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0 < value < float("inf"):
            raise TraitError(f"fair_share_half_life must be positive seconds, not {value}")
        return value

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return os.path.join(jupyter_data_dir(), "forgather_lab")

    @validate("simulated_gpus")
    def _check_simulated_gpus(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 0 <= value <= 64:
            raise TraitError(f"simulated_gpus must be between 0 and 64, not {value}")
        return value

    @validate("max_sweep_size")
    def _check_max_sweep_size(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= 10_000:
            raise TraitError(f"max_sweep_size must be between 1 and 10000, not {value}")
        return value

    @validate("stop_grace")
    def _check_stop_grace(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0 <= value <= 86400:
            raise TraitError(f"stop_grace must be between 0 and 86400 seconds, not {value}")
        return value

    @validate("reservation_after")
    def _check_reservation_after(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0 <= value < float("inf"):
            raise TraitError(f"reservation_after must be 0 or more seconds, not {value}")
        return value

    @validate("executor")
    def _check_executor(self, proposal: dict[str, Any]) -> str:
        value = str(proposal["value"]).strip()
        if value and value not in ("local", "slurm", "ray") and "." not in value:
            raise TraitError(
                f"executor must be 'local', 'slurm', 'ray' or an Executor class path, not {value!r}"
            )
        return value

    @validate("slurm_rest_url")
    def _check_slurm_rest_url(self, proposal: dict[str, Any]) -> str:
        from urllib.parse import urlsplit

        value = str(proposal["value"]).strip()
        if not value:
            return value
        url = urlsplit(value)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise TraitError(f"slurm_rest_url must be an http(s) URL, not {value!r}")
        if url.username or url.password or url.query or url.fragment:
            # The token goes in headers from slurm_rest_token_file, never in a URL.
            raise TraitError("slurm_rest_url takes no credentials, query or fragment")
        return value

    @validate("engine_bind_host")
    def _check_engine_bind_host(self, proposal: dict[str, Any]) -> str:
        import ipaddress

        value = str(proposal["value"]).strip().strip("[]")
        if value != "node":
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise TraitError(
                    f"engine_bind_host must be 'node' or an IP address, not {value!r}"
                ) from None
        return value

    @validate("ray_max_running")
    def _check_ray_max_running(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError(f"ray_max_running must be 1 or more, not {value}")
        return value

    @validate("dispatch_safety_tick", "gpu_sample_interval", "kill_timeout", "engine_poll_interval")
    def _check_positive(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if value <= 0:
            raise TraitError(f"{proposal['trait'].name} must be positive, not {value}")
        return value

    @validate("log_ttl", "housekeeping_interval")
    def _check_housekeeping(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        name = proposal["trait"].name
        if not 0 <= value < float("inf") or (name == "housekeeping_interval" and value == 0):
            least = "positive" if name == "housekeeping_interval" else "0 or more"
            raise TraitError(f"{name} must be {least} seconds, not {value}")
        return value


def setting_names() -> list[str]:
    """Every configurable setting, sorted (docs and tests use it)."""
    return sorted(ForgatherLabSettings.class_own_traits(config=True))
