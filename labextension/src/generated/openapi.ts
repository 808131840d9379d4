/* eslint-disable */
/**
 * Generated from docs/openapi.json by `npm run generate:api`
 * (scripts/generate-api.mjs, openapi-typescript): do not edit by hand.
 * `npm run lint` and the build fail when this file is stale.
 */
export interface paths {
    "/forgather/api/cluster": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This node's cluster: every member (reachable or not), its probe and GPU counts */
        get: operations["Cluster_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/cluster/gpus": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every reachable node's GPUs, each with its node_id */
        get: operations["ClusterGpus_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/cluster/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every multi-node job this node or a reachable peer keeps, with live per-rank status */
        get: operations["ClusterJobs_get"];
        put?: never;
        /** Queue a multi-node training job: one torchrun per participant, all or none */
        post: operations["ClusterJobs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/cluster/jobs/{bundle_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One multi-node job with each rank's live status rolled up */
        get: operations["ClusterJob_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/cluster/jobs/{bundle_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel every rank of a multi-node job (queued ones cancelled, running ones killed) */
        post: operations["ClusterJobCancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/cluster/network": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The last network probe of every peer (latency, bandwidth) */
        get: operations["ClusterNetwork_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/cluster/network/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Measure latency and bandwidth to every reachable peer, one after the other */
        post: operations["ClusterNetworkRefresh_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/cluster/nodes/{node_id}/gpus/{index}/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change a GPU's policy on any node of the cluster (a peer's over mTLS) */
        post: operations["ClusterGpuPolicy_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/config/dynamic-args": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The dynamic-args form schema and values */
        get: operations["ConfigDynamicArgs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/config/meta": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** config_name, config_description, config_class */
        get: operations["ConfigMeta_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/config/output-dir": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Resolved output_dir and job (overrides applied) */
        get: operations["ConfigOutputDir_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/config/overrides": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Stored dynamic-args overrides of a config */
        get: operations["Overrides_get"];
        put?: never;
        /** Replace the stored overrides (validated against the schema) */
        post: operations["Overrides_post"];
        /** Clear the stored overrides */
        delete: operations["Overrides_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/config/pp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The rendered YAML (overrides applied) */
        get: operations["ConfigPp_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/config/raw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A config's source */
        get: operations["ConfigRaw_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/config/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Templates the config consumed */
        get: operations["ConfigTemplates_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/config/trefs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The template dependency graph (overrides applied) */
        get: operations["ConfigTrefs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/dataset-servers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Dataset servers: running dataset_server jobs and user-added ones, each probed now (status, datasets) */
        get: operations["DatasetServers_get"];
        put?: never;
        /** Register a dataset server by URL (its token is kept in a 0600 file, never returned) */
        post: operations["DatasetServers_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/dataset-servers/{server_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Unregister a user-added dataset server (and delete its token file) */
        delete: operations["DatasetServer_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/dataset-servers/{server_id}/proxy/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A registered dataset server's API (/datasets, /splits, /length, /preview, /rows), through the same-origin proxy with the server's token */
        get: operations["DatasetProxy_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/dataset-servers/proxy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** GET a URL under a registered dataset server's base URL (any other URL is a 403) */
        get: operations["DatasetProxyByUrl_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/docsite-view/{job_id}/{grant}/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The MkDocs site of a docs job through its view link (the grant in the path is the credential) */
        get: operations["DocsView_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/docsite/{job_id}/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The MkDocs site of a docs job, through the auth-gated proxy (a browser page load is redirected to the job's view link) */
        get: operations["DocsProxy_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-Sent Events: every state change (job_status_changed, job_progress, job_finished, queue_changed, gpu_policy_changed, ...) as JSON with a type field; resumes after Last-Event-ID or ?since=; periodic gpus_sampled only when named in types */
        get: operations["Events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/fs/delete-dir": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete a directory tree (confirmed): a config's output directory, a run, checkpoint or evaluation in one, a project or a workspace; never the state directory */
        post: operations["DeleteDir_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/fs/delete-file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete one file (confirmed): a config file of a project */
        post: operations["DeleteFile_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/generation-configs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Bundled and user generation presets */
        get: operations["Presets_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/generation-configs/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One preset (a user copy wins over a bundled one) */
        get: operations["Preset_get"];
        /** Save a user preset (shadows a bundled one of that name); the body is the generation parameters, or {"params": {...}} */
        put: operations["Preset_put"];
        post?: never;
        /** Delete a user preset (a bundled one is read-only: 403) */
        delete: operations["Preset_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/gpus": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every GPU: telemetry, policy, reservation, processes mapped to jobs */
        get: operations["Gpus_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/gpus/{index}/kill": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** SIGKILL every compute process on a GPU (needs confirmed: true) */
        post: operations["GpuKill_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/gpus/{index}/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable / enable a GPU or set its min_priority gate; unset fields stay */
        post: operations["GpuPolicy_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/gpus/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Per-GPU runtime policies */
        get: operations["GpuPolicies_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/gpus/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** WebSocket: the GPU list every 2 s and on every policy change */
        get: operations["GpuStream_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health of the extension (503 with a message when degraded) */
        get: operations["Health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/inference/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Proxy <base>/chat/completions (SSE passed through byte for byte when stream is true) */
        post: operations["InferenceChat_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/inference/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Proxy <base>/completions (SSE passed through byte for byte when stream is true) */
        post: operations["InferenceCompletions_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/inference/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Proxy <base>/health (the server's, beside /v1) */
        get: operations["InferenceHealth_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/inference/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Proxy <base>/models */
        get: operations["InferenceModels_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/inference/servers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Running inference servers and TensorBoards, with readiness */
        get: operations["InferenceServers_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Jobs, newest first, with status and owner filters and paging (offset, or the before cursor for deep pages) */
        get: operations["Jobs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job (cluster mode: any node's) */
        get: operations["Job_get"];
        put?: never;
        post?: never;
        /** Delete a finished job and its log */
        delete: operations["Job_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The reporter's callback (job token auth): progress, metrics, checkpoints, stage, eval results and command acknowledgements in; pending commands out */
        post: operations["Callback_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/control/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Control a job: save | stop | save-stop | abort are queued for its trainer (needs forgather_lab.reporter); kill (SIGTERM to its process group) | force-kill (SIGKILL) */
        post: operations["Control_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every transition of the job (queued, started, requeued, retried, ended) with its time, attempt and reason, oldest first */
        get: operations["History_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/inline-progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Stage, last log line and percent parsed from the job's log (works without a reporter) */
        get: operations["InlineProgress_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Metric series as [step, value] pairs, downsampled to max_points keeping extremes */
        get: operations["Metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/metrics.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The job's metrics as CSV (step,key,value; streamed), for archiving or a tracker */
        get: operations["MetricsCsv_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/notebook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The executed notebook of a notebook job (nbformat 4 JSON), updated after each cell while it runs */
        get: operations["ExecutedNotebook_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/provenance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How the run was made, captured when it started: argv, cwd, env names (never values), git state, interpreter and packages, config, host, GPUs */
        get: operations["Provenance_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/provenance/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The uncommitted diff (against HEAD) captured with the provenance, capped at 1 MiB; empty when the work tree was clean or not a repository */
        get: operations["ProvenanceDiff_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/rerun": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Queue the job again (same kind, params or project / config, limits) with the changes given; dynamic_args are merged over the original's */
        post: operations["Rerun_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The trainer's latest status (step, progress, loss, lr, ...) and recent commands */
        get: operations["Status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/{job_id}/tty": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The end of the job's log (text/plain, capped); with follow=1 and a WebSocket upgrade: the backlog, then live output until the job ends */
        get: operations["Tty_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/cleanup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete every finished job */
        post: operations["Cleanup_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/external": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register a trainer started outside the queue (forgather_lab.reporter found this server by discovery): a running job of type external, its callback token once */
        post: operations["RegisterExternal_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/external/{job_id}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An external trainer's reporter closing (job token auth): done, failed with its exception, or aborted */
        post: operations["ExternalEnd_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/external/cleanup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remove stale: delete every ended external job */
        post: operations["ExternalCleanup_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/jobs/gc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remove log directories of jobs that no longer exist */
        post: operations["Gc_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/metrics/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Curves of several jobs side by side, each downsampled on the server (LTTB keeping the first, last, lowest and highest point) to at most max_points, against the step or (axis=time) the wall time each point was recorded at */
        get: operations["Compare_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/model/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Checkpoints under an output_dir */
        get: operations["Checkpoints_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/model/evaluations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Evaluations under an output_dir */
        get: operations["Evaluations_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/model/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Runs under an output_dir */
        get: operations["Runs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3 document */
        get: operations["OpenAPI_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/project": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One project */
        get: operations["ProjectDetail_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/project/asset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file embedded in the project README (path-guarded, 50 MiB cap) */
        get: operations["Asset_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/project/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One row per distinct output_dir of the configs */
        get: operations["ProjectModels_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/project/new-template": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a config or template file */
        post: operations["NewTemplate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/project/readme": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project README as markdown */
        get: operations["Readme_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/project/template-paths": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where new templates and configs go */
        get: operations["TemplatePaths_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/project/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every template on the search path, grouped */
        get: operations["ListTemplates_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Workspaces (nested) with their projects, and Unaffiliated projects */
        get: operations["Projects_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The queue: queued jobs in dispatch order */
        get: operations["Queue_get"];
        put?: never;
        /** Queue a job (durable when answered) */
        post: operations["Queue_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/queue/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Cancel a queued job, or abort it if it already runs */
        delete: operations["QueueItem_delete"];
        options?: never;
        head?: never;
        /** Change a queued job's priority or name; the scheduler re-plans at once */
        patch: operations["QueueItem_patch"];
        trace?: never;
    };
    "/forgather/api/queue/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Queue many jobs in one transaction, all or none (one invalid job: 400, none queued); they share a group and come back in order */
        post: operations["Batch_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/queue/scheduler": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the scheduler dispatches */
        get: operations["Scheduler_get"];
        put?: never;
        /** Pause or resume dispatching */
        post: operations["Scheduler_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/queue/sweep": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Queue one job per point of a grid of dynamic arguments (the cartesian product, merged over the base job's), sharing a group; at most max_sweep_size points */
        post: operations["Sweep_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/run/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Statistics from a run's metrics log */
        get: operations["RunSummary_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/run/tty": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tail of a run's console log */
        get: operations["RunTty_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One row per job of a project (or one config): status, dynamic args, duration, attempt and the last / min / max of every metric */
        get: operations["RunsTable_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/search-roots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the search roots */
        get: operations["SearchRoots_get"];
        put?: never;
        /** Add a search root (inside root_dir unless the operator allows more) */
        post: operations["SearchRoots_post"];
        /** Remove a search root (?path=) */
        delete: operations["SearchRoots_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/server-config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Where jupyter_server_config.py is; created with a commented template of every ForgatherLab setting if missing (never overwritten) */
        post: operations["ServerConfig_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/server-config/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The config file's text */
        get: operations["ServerConfigContent_get"];
        /** Replace the config file's text (UTF-8 text, at most 1 MiB; read at the next restart) */
        put: operations["ServerConfigContent_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Configured services with their running state */
        get: operations["Services_get"];
        put?: never;
        /** Create or replace a service; an enabled one starts now */
        post: operations["Services_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/services/{type}/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One service */
        get: operations["Service_get"];
        put?: never;
        post?: never;
        /** Stop its job and delete the service */
        delete: operations["Service_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/services/{type}/{name}/enabled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable (start now) or disable (stop now) a service */
        post: operations["ServiceEnabled_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/services/kinds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The service kinds the Lab has a launch dialog for, each with its parameters' JSON Schema */
        get: operations["ServiceKinds_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/tb-view/{job_id}/{grant}/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** TensorBoard of a job through its view link (the grant in the path is the credential) */
        get: operations["TensorBoardView_get"];
        put?: never;
        /** TensorBoard data queries (POST) through its view link */
        post: operations["TensorBoardView_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/tb/{job_id}/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** TensorBoard of a job, through the auth-gated proxy (a browser page load is redirected to the job's view link) */
        get: operations["TensorBoardProxy_get"];
        put?: never;
        /** TensorBoard data queries (POST), through the proxy */
        post: operations["TensorBoardProxy_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/template/source": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A template's source and mtime (also in the X-Mtime header) */
        get: operations["TemplateSource_get"];
        /** Replace a template's source atomically (409 when changed since expected_mtime) */
        put: operations["TemplateSource_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/workspace/init-here": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make an existing directory a workspace */
        post: operations["InitWorkspace_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/workspace/new": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a workspace under a search root */
        post: operations["NewWorkspace_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/forgather/api/workspace/new-project": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a project in a workspace */
        post: operations["NewProject_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * AddSearchRoot
         * @description ``POST /search-roots``; ``create`` makes the directory first.
         */
        AddSearchRoot: {
            /**
             * Create
             * @default false
             */
            create?: boolean;
            /** Path */
            path: string;
        };
        /** Checkpoint */
        Checkpoint: {
            /** Lab Path */
            lab_path: string | null;
            /** Name */
            name: string;
            /** Path */
            path: string;
            /** Saved At */
            saved_at: number | string | null;
            /** Size Bytes */
            size_bytes: number;
            /** Step */
            step: number | null;
            /** World Size */
            world_size: number | null;
        };
        /**
         * CleanupResult
         * @description ``POST /jobs/cleanup`` and ``POST /jobs/gc``.
         */
        CleanupResult: {
            /** Removed */
            removed: number;
            /** Removed Ids */
            removed_ids?: string[];
        };
        /**
         * ClusterGpu
         * @description One card of one node.
         */
        ClusterGpu: {
            /** Disabled */
            disabled: boolean;
            /** Excluded */
            excluded: boolean;
            /** Index */
            index: number;
            /** Memory Total */
            memory_total: number;
            /** Memory Used */
            memory_used: number;
            /** Min Priority */
            min_priority: number;
            /** Name */
            name: string;
            /** Node Id */
            node_id: string;
            /** Power */
            power: number | null;
            /** Processes */
            processes: components["schemas"]["DescribeGpuProcess"][];
            /**
             * Reserved By
             * @description the job holding this card
             * @default null
             */
            reserved_by?: string | null;
            /** Simulated */
            simulated: boolean;
            /** Temperature */
            temperature: number | null;
            /** Utilization */
            utilization: number | null;
            /** Uuid */
            uuid: string;
        };
        /**
         * ClusterGpuNode
         * @description One node of ``GET /cluster/gpus``: whether its cards could be read, and why not.
         */
        ClusterGpuNode: {
            /**
             * Backend
             * @default null
             */
            backend?: string | null;
            /** Hostname */
            hostname: string;
            /** Is Self */
            is_self: boolean;
            /**
             * Message
             * @default null
             */
            message?: string | null;
            /** Node Id */
            node_id: string;
            /** Reachable */
            reachable: boolean;
        };
        /**
         * CompareMetrics
         * @description Each job's curves, downsampled (LTTB, first / last point and extremes kept).
         */
        CompareMetrics: {
            /**
             * Axis
             * @description what x is (as asked)
             * @default step
             * @enum {string}
             */
            axis?: "step" | "time";
            /**
             * Missing
             * @description requested job ids that do not exist
             */
            missing?: string[];
            /**
             * Series
             * @description job id → metric → [[x, value], ...]: x is the step (an integer, in step order) or, for axis=time, the unix seconds the point was recorded at (in time order; chosen as on the step axis from the points that have a time); a key the job never reported is an empty list
             */
            series: {
                [key: string]: {
                    [key: string]: [
                        number,
                        number
                    ][];
                };
            };
            /**
             * Untimed
             * @description axis=time only: job id → metrics some of whose points were left out for having no recorded time (stored by a server older than wall times)
             */
            untimed?: {
                [key: string]: string[];
            };
        };
        /**
         * ConfigProvenance
         * @description What a config job was made from.
         */
        ConfigProvenance: {
            /** Config */
            config: string | null;
            /** Dynamic Args */
            dynamic_args: {
                [key: string]: unknown;
            };
            /** Project Dir */
            project_dir: string;
            /**
             * Rendered
             * @description the rendered config text (null: render failed)
             */
            rendered: string | null;
            /**
             * Rendered Truncated
             * @default false
             */
            rendered_truncated?: boolean;
        };
        /**
         * ControlResult
         * @description ``save|stop|save-stop|abort``: the queued command; ``kill|force-kill``: what the kill did.
         *
         *     One documented response for one route whose answer depends on the action;
         *     on the wire it is the inner model, unwrapped.
         */
        ControlResult: components["schemas"]["DescribeCommand"] | components["schemas"]["KillResult"];
        /**
         * CreateClusterJob
         * @description ``POST /cluster/jobs``: one training job across several nodes (one torchrun each).
         */
        CreateClusterJob: {
            /**
             * Allow Version Mismatch
             * @description queue even if forgather_lab / torch / python differ between nodes
             * @default false
             */
            allow_version_mismatch?: boolean;
            /** Config */
            config: string;
            /** Dynamic Args */
            dynamic_args?: {
                [key: string]: unknown;
            };
            /**
             * Name
             * @default null
             */
            name?: string | null;
            /**
             * Participants
             * @description node ranks follow this order
             */
            participants: components["schemas"]["CreateClusterParticipant"][];
            /**
             * Priority
             * @default 0
             */
            priority?: number;
            /**
             * Project Dir
             * @description the same path on every participant
             */
            project_dir: string;
            /**
             * Rdzv Node
             * @description the participant hosting the c10d rendezvous store
             */
            rdzv_node: string;
            /**
             * Rdzv Port
             * @description default: the lowest port from 29400 that no other live bundle uses there
             * @default null
             */
            rdzv_port?: number | null;
        };
        /**
         * CreateClusterParticipant
         * @description One node of a multi-node job: how many GPUs its torchrun uses, on which interface.
         */
        CreateClusterParticipant: {
            /**
             * Gpus
             * @description GPUs (= processes) on this node; 0: one CPU process (gloo)
             */
            gpus: number;
            /**
             * Iface
             * @description the interface NCCL / Gloo / TensorPipe use; default: the one holding the node's advertised address
             * @default null
             */
            iface?: string | null;
            /** Node Id */
            node_id: string;
        };
        /**
         * CreateDatasetServer
         * @description ``POST /dataset-servers``: register a dataset server that runs elsewhere.
         */
        CreateDatasetServer: {
            /**
             * Auth Token
             * @description bearer token the server wants; kept in a 0600 file, never returned
             * @default null
             */
            auth_token?: string | null;
            /** Label */
            label: string;
            /**
             * Url
             * @description http(s) base URL of the server (its /health, /datasets, ... lie under it)
             */
            url: string;
        };
        /** CreatedProject */
        CreatedProject: {
            /** Lab Path */
            lab_path: string | null;
            /** Project Dir */
            project_dir: string;
        };
        /** CreatedTemplate */
        CreatedTemplate: {
            /**
             * Kind
             * @enum {string}
             */
            kind: "config" | "template";
            /** Lab Path */
            lab_path: string | null;
            /** Path */
            path: string;
        };
        /** CreatedWorkspace */
        CreatedWorkspace: {
            /** Lab Path */
            lab_path: string | null;
            /** Workspace Dir */
            workspace_dir: string;
        };
        /**
         * CreateJob
         * @description ``POST /queue``: put a job on the queue.
         */
        CreateJob: {
            /**
             * Config
             * @default null
             */
            config?: string | null;
            /**
             * Dataset Source
             * @description a registered dataset server's id (GET /dataset-servers): the job gets FORGATHER_DATASET_SERVER and FORGATHER_DATASET_SERVER_TOKEN_FILE
             * @default null
             */
            dataset_source?: string | null;
            /**
             * Depends On
             * @description jobs that must end `done` before this one starts (one ending otherwise cancels it)
             */
            depends_on?: string[];
            /**
             * @description training jobs: one node's part of a multi-node run (torchrun rdzv)
             * @default null
             */
            distributed?: components["schemas"]["DistributedLaunch"] | null;
            /** Dynamic Args */
            dynamic_args?: {
                [key: string]: unknown;
            };
            /**
             * Executor Params
             * @description per-job engine settings over the server's: Slurm partition, account, qos, time, extra_args
             */
            executor_params?: {
                [key: string]: string;
            };
            /**
             * Gpu Memory
             * @description MiB the job needs on each of its GPUs: jobs that declare it share a card while their declarations fit; without it a job gets whole cards
             * @default null
             */
            gpu_memory?: number | null;
            /**
             * Job Params
             * @description kind-specific: command takes argv, cwd, env
             */
            job_params?: {
                [key: string]: unknown;
            };
            /**
             * Job Type
             * @description command | training | eval (inference, tensorboard later)
             */
            job_type: string;
            /**
             * Max Retries
             * @description requeue a failed job up to this many times
             * @default 0
             */
            max_retries?: number;
            /**
             * Name
             * @default null
             */
            name?: string | null;
            /**
             * Node
             * @description cluster mode, POST /queue only: the node_id to queue it on, or 'any' (the node where it can start soonest); default: this node
             * @default null
             */
            node?: string | null;
            /**
             * Preemptible
             * @description a queued job of higher priority (>= preemption_min_priority) may checkpoint-stop this one and requeue it
             * @default false
             */
            preemptible?: boolean;
            /**
             * Priority
             * @description higher runs first
             * @default 0
             */
            priority?: number;
            /**
             * Project Dir
             * @default null
             */
            project_dir?: string | null;
            /**
             * Requested Gpus
             * @description GPUs the job needs (0 = none); default: the config's, else 0
             * @default null
             */
            requested_gpus?: number | null;
            /**
             * Time Limit
             * @description seconds the job may run; past it: save-stop, then kill after the grace time, and the job fails with 'time limit'
             * @default null
             */
            time_limit?: number | null;
        };
        /**
         * CreateJobBatch
         * @description ``POST /queue/batch``: many jobs in one transaction, all or none.
         */
        CreateJobBatch: {
            /** Jobs */
            jobs: components["schemas"]["CreateJob"][];
        };
        /**
         * CreateProject
         * @description ``POST /workspace/new-project``.
         */
        CreateProject: {
            /**
             * Config Prefix
             * @default configs
             */
            config_prefix?: string;
            /**
             * Default Config
             * @default default.yaml
             */
            default_config?: string;
            /**
             * Description
             * @default
             */
            description?: string;
            /** Name */
            name: string;
            /**
             * Project Dir Name
             * @default null
             */
            project_dir_name?: string | null;
            /** Workspace Dir */
            workspace_dir: string;
        };
        /**
         * CreateSweep
         * @description ``POST /queue/sweep``: one job per point of ``grid`` (dynamic args), one group.
         */
        CreateSweep: {
            base: components["schemas"]["CreateJob"];
            /**
             * Grid
             * @description dynamic argument → values; the cartesian product is run
             */
            grid: {
                [key: string]: unknown[];
            };
        };
        /**
         * CreateTemplate
         * @description ``POST /project/new-template``: ``.yaml`` is appended; nested names allowed.
         */
        CreateTemplate: {
            /**
             * Kind
             * @enum {string}
             */
            kind: "config" | "template";
            /** Name */
            name: string;
            /** Project Dir */
            project_dir: string;
        };
        /**
         * CreateWorkspace
         * @description ``POST /workspace/new``: ``parent_dir`` must be a search root.
         */
        CreateWorkspace: {
            /**
             * Description
             * @default
             */
            description?: string;
            /** Name */
            name: string;
            /** Parent Dir */
            parent_dir: string;
            /**
             * Workspace Dir Name
             * @default null
             */
            workspace_dir_name?: string | null;
        };
        /** Deleted */
        Deleted: {
            /** Deleted */
            deleted: string;
        };
        /**
         * DeleteDatasetServerResult
         * @description ``DELETE /dataset-servers/{id}``.
         */
        DeleteDatasetServerResult: {
            /** Deleted */
            deleted: boolean;
            /** Id */
            id: string;
        };
        /**
         * DeletePath
         * @description ``POST /fs/delete-dir`` and ``/fs/delete-file``: absolute path, confirmed.
         */
        DeletePath: {
            /**
             * Confirmed
             * @default false
             */
            confirmed?: boolean;
            /** Path */
            path: string;
        };
        /**
         * DeletePresetResult
         * @description What deleting a user preset did.
         */
        DeletePresetResult: {
            /** Deleted */
            deleted: boolean;
            /** Name */
            name: string;
            /** Restored Builtin */
            restored_builtin: boolean;
        };
        /**
         * DeleteServiceResult
         * @description What a delete did.
         */
        DeleteServiceResult: {
            /** Deleted */
            deleted: boolean;
            /**
             * Stopped Job Id
             * @default null
             */
            stopped_job_id?: string | null;
        };
        /**
         * DescribeCluster
         * @description ``GET /cluster``: standalone, ``enabled`` is false and this node is alone.
         */
        DescribeCluster: {
            /** Enabled */
            enabled: boolean;
            /**
             * Master
             * @description the reachable member with the lowest node_id
             * @default null
             */
            master?: string | null;
            /** Members */
            members: components["schemas"]["DescribeMember"][];
            /**
             * Message
             * @description why cluster mode is not working, if it is not
             * @default null
             */
            message?: string | null;
            /**
             * Name
             * @description the cluster's name (empty: standalone)
             * @default null
             */
            name?: string | null;
            /**
             * Self
             * @description this node's node_id
             */
            self: string;
        };
        /**
         * DescribeClusterJob
         * @description A multi-node job: its ranks, where they meet and the status rolled up from theirs.
         *
         *     The rollup takes the first of failed > running (``unknown`` counts as running:
         *     an unreachable rank may still be working) > cancelled > queued > done.
         */
        DescribeClusterJob: {
            /** Config */
            config: string;
            /**
             * Created
             * @description epoch seconds
             */
            created: number;
            /** Dynamic Args */
            dynamic_args: {
                [key: string]: unknown;
            };
            /** Id */
            id: string;
            /** Name */
            name: string;
            /** Nnodes */
            nnodes: number;
            /** Owner */
            owner: string | null;
            /** Project Dir */
            project_dir: string;
            /** Ranks */
            ranks: components["schemas"]["DescribeClusterRank"][];
            rdzv: components["schemas"]["DescribeRendezvous"];
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "running" | "done" | "failed" | "cancelled" | "unknown";
        };
        /**
         * DescribeClusterRank
         * @description One node's torchrun: the job queued there and its status.
         */
        DescribeClusterRank: {
            /** Gpus */
            gpus: number;
            /** Iface */
            iface: string;
            /** Job Id */
            job_id: string;
            /** Node Id */
            node_id: string;
            /**
             * Rank
             * @description the node rank (torchrun --node-rank)
             */
            rank: number;
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "running" | "done" | "failed" | "cancelled" | "unknown";
        };
        /**
         * DescribeCommand
         * @description A control command queued for a job's trainer.
         */
        DescribeCommand: {
            /**
             * Acknowledged At
             * @description taken by the training loop
             */
            acknowledged_at: number | null;
            /**
             * Command
             * @enum {string}
             */
            command: "save" | "stop" | "save-stop" | "abort";
            /** Created At */
            created_at: number;
            /**
             * Delivered At
             * @description first handed to the reporter
             */
            delivered_at: number | null;
            /** Id */
            id: number;
            /** Job Id */
            job_id: string;
        };
        /** DescribeConfigMeta */
        DescribeConfigMeta: {
            /** Config */
            config: string;
            /** Config Class */
            config_class: string;
            /** Config Description */
            config_description: string;
            /** Config Name */
            config_name: string;
            /** Has Job */
            has_job: boolean;
            /**
             * Job Type
             * @description what Run queues for this config: training, eval (an evaluation config), or none (a config of another class, or one without a job block: Overrides only)
             * @default null
             */
            job_type?: ("training" | "eval") | null;
            /** Lab Path */
            lab_path: string | null;
            /**
             * Not Runnable
             * @description why Run is not offered, when it is not
             * @default null
             */
            not_runnable?: string | null;
            /** Path */
            path: string | null;
        };
        /** DescribeConfigSource */
        DescribeConfigSource: {
            /** Config */
            config: string;
            /** Content */
            content: string;
            /** Lab Path */
            lab_path: string | null;
            /** Mtime */
            mtime: number;
            /** Path */
            path: string | null;
        };
        /**
         * DescribeDatasetServer
         * @description One registered dataset server and what it answers now.
         */
        DescribeDatasetServer: {
            /**
             * Datasets
             * @description dataset names it serves (empty unless ready)
             */
            datasets?: string[];
            /**
             * Has Token
             * @description whether a token is sent to it (the token never is)
             */
            has_token: boolean;
            /** Id */
            id: string;
            /**
             * Job Id
             * @description the dataset_server job, for source job
             * @default null
             */
            job_id?: string | null;
            /** Label */
            label: string;
            /**
             * Message
             * @description why it is not ready, when known
             * @default null
             */
            message?: string | null;
            /**
             * Proxy Url
             * @description same-origin path of its API through the proxy
             */
            proxy_url: string;
            /**
             * Source
             * @enum {string}
             */
            source: "job" | "user";
            /**
             * Status
             * @description starting (a job that has not announced its port), ready (its health answers), unreachable, or unauthorized (it refused the stored token)
             * @enum {string}
             */
            status: "starting" | "ready" | "unreachable" | "unauthorized";
            /**
             * Url
             * @description where the server listens (jobs reach it there directly)
             */
            url: string;
        };
        /** DescribeDynamicArgs */
        DescribeDynamicArgs: {
            /** Args */
            args: components["schemas"]["DynamicArg"][];
            /** Config */
            config: string;
            /** Ignored */
            ignored: string[];
            /** Values */
            values: {
                [key: string]: unknown;
            };
        };
        /**
         * DescribeEndpoint
         * @description Where a long-running job (inference, TensorBoard) answers, and whether it is ready.
         */
        DescribeEndpoint: {
            /**
             * Base Url
             * @description the API base, e.g. http://127.0.0.1:PORT/v1
             * @default null
             */
            base_url?: string | null;
            /** Job Id */
            job_id: string;
            /** Job Type */
            job_type: string;
            /**
             * Message
             * @default null
             */
            message?: string | null;
            /**
             * Model
             * @default null
             */
            model?: string | null;
            /** Name */
            name: string;
            /**
             * Proxy Url
             * @description same-origin path for the browser
             * @default null
             */
            proxy_url?: string | null;
            state: components["schemas"]["EndpointState"];
            /** @description the job's status */
            status: components["schemas"]["JobStatus"];
        };
        /**
         * DescribeGpu
         * @description One card: telemetry, policy and who runs on it.
         */
        DescribeGpu: {
            /** Disabled */
            disabled: boolean;
            /** Excluded */
            excluded: boolean;
            /** Index */
            index: number;
            /** Memory Total */
            memory_total: number;
            /** Memory Used */
            memory_used: number;
            /** Min Priority */
            min_priority: number;
            /** Name */
            name: string;
            /** Power */
            power: number | null;
            /** Processes */
            processes: components["schemas"]["DescribeGpuProcess"][];
            /**
             * Reserved By
             * @description the job holding this card
             * @default null
             */
            reserved_by?: string | null;
            /** Simulated */
            simulated: boolean;
            /** Temperature */
            temperature: number | null;
            /** Utilization */
            utilization: number | null;
            /** Uuid */
            uuid: string;
        };
        /** DescribeGpuPolicy */
        DescribeGpuPolicy: {
            /** Disabled */
            disabled: boolean;
            /** Min Priority */
            min_priority: number;
        };
        /** DescribeGpuProcess */
        DescribeGpuProcess: {
            /** Job Id */
            job_id: string | null;
            /**
             * Kind
             * @default compute
             */
            kind?: string;
            /** Pid */
            pid: number;
            /**
             * Used Memory
             * @default null
             */
            used_memory?: number | null;
        };
        /**
         * DescribeHealth
         * @description ``GET /forgather/api/health``.
         */
        DescribeHealth: {
            /**
             * Admin
             * @description whether the caller may act on every job and policy
             * @default false
             */
            admin?: boolean;
            /** Gpu Backend */
            gpu_backend: string;
            /** Gpu Count */
            gpu_count: number;
            /**
             * Message
             * @default null
             */
            message?: string | null;
            /**
             * Mode
             * @default single
             * @enum {string}
             */
            mode?: "single" | "hub";
            /**
             * Run As Owner
             * @description whether jobs' commands run as their owners' local accounts now (hub mode, the service as root, the local executor; ForgatherLab.run_as_owner)
             * @default false
             */
            run_as_owner?: boolean;
            /**
             * Run As Reason
             * @description why jobs run as their owners, or whose account they run as instead
             * @default null
             */
            run_as_reason?: string | null;
            /** Scheduler Enabled */
            scheduler_enabled: boolean;
            /** Schema Version */
            schema_version: number | null;
            /** State Dir */
            state_dir: string;
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "error";
            /**
             * User
             * @description who is asking (the Hub user in hub mode)
             * @default null
             */
            user?: string | null;
            /** Version */
            version: string;
        };
        /**
         * DescribeInlineProgress
         * @description ``GET /jobs/{id}/inline-progress``: what the job's log says (SimpleTuner's rules).
         */
        DescribeInlineProgress: {
            /** Job Id */
            job_id: string;
            /**
             * Last Log
             * @description the last log line, cut to 80 characters
             */
            last_log: string | null;
            /**
             * Progress
             * @description percent from 'step N/M' or 'epoch N/M'
             */
            progress: number | null;
            /** Stage */
            stage: string | null;
        };
        /**
         * DescribeJob
         * @description A job record, from enqueue to the end.
         */
        DescribeJob: {
            /**
             * Attempt
             * @description 1 on the first run; +1 per preemption or retry
             * @default 1
             */
            attempt?: number;
            /** Created At */
            created_at: number;
            /** Depends On */
            depends_on?: string[];
            /** Ended At */
            ended_at: number | null;
            /** Error */
            error: string | null;
            /**
             * Executor
             * @description where it runs: local | slurm | ray | ...
             * @default local
             */
            executor?: string;
            /** Exit Code */
            exit_code: number | null;
            /**
             * External Id
             * @description the engine's id of the job (Slurm job id, Ray submission id)
             * @default null
             */
            external_id?: string | null;
            /**
             * Gpu Memory
             * @description declared MiB per GPU (shared cards)
             * @default null
             */
            gpu_memory?: number | null;
            /** Gpus */
            gpus: number[];
            /**
             * Group
             * @description the sweep or batch this job belongs to
             * @default null
             */
            group?: string | null;
            /** Id */
            id: string;
            /** Job Type */
            job_type: string;
            /** Log Path */
            log_path: string | null;
            /**
             * Max Retries
             * @default 0
             */
            max_retries?: number;
            /** Name */
            name: string;
            /**
             * Node
             * @description where it runs: 'local' (this server's machine; in cluster mode the node_id of the member running it instead) or an engine's node list (Slurm, Ray)
             */
            node: string;
            /**
             * Owner
             * @description who submitted it (the Hub user in hub mode, the server's OS user otherwise); null for jobs from before owners were recorded
             * @default null
             */
            owner?: string | null;
            /** Params */
            params: {
                [key: string]: unknown;
            };
            /**
             * Pending Reason
             * @description queued jobs: why it is not running yet, in a sentence; a job handed to an engine and still starting: the engine's reason (e.g. 'Slurm: Resources')
             * @default null
             */
            pending_reason?: string | null;
            /** Pid */
            pid: number | null;
            /** Pid Create Time */
            pid_create_time: number | null;
            /**
             * Position
             * @description queued jobs: 1-based place in the order the next pass considers
             * @default null
             */
            position?: number | null;
            /**
             * Preemptible
             * @default false
             */
            preemptible?: boolean;
            /** Priority */
            priority: number;
            /**
             * Queued At
             * @description when it last entered the queue (submission, preemption or retry)
             * @default null
             */
            queued_at?: number | null;
            /** Requested Gpus */
            requested_gpus: number;
            /**
             * Rerun Of
             * @description the job this one re-runs
             * @default null
             */
            rerun_of?: string | null;
            /** Started At */
            started_at: number | null;
            status: components["schemas"]["JobStatus"];
            /**
             * Time Limit
             * @default null
             */
            time_limit?: number | null;
        };
        /**
         * DescribeMember
         * @description One node as this node knows it.
         */
        DescribeMember: {
            /** Addresses */
            addresses: string[];
            gpus?: components["schemas"]["GpuSummary"];
            /** Hostname */
            hostname: string;
            /**
             * Is Master
             * @default false
             */
            is_master?: boolean;
            /**
             * Is Self
             * @default false
             */
            is_self?: boolean;
            /**
             * Last Seen
             * @description epoch seconds of its last direct answer
             * @default null
             */
            last_seen?: number | null;
            /** Node Id */
            node_id: string;
            /**
             * Port
             * @description its inter-node (mTLS) listener
             */
            port: number;
            /** @default null */
            probe?: components["schemas"]["DescribeProbe"] | null;
            /**
             * Reachable
             * @description a direct pull answered within the threshold
             */
            reachable: boolean;
            /**
             * Started At
             * @description epoch seconds its server started
             * @default null
             */
            started_at?: number | null;
            /**
             * Url
             * @description its Jupyter server, for links
             * @default null
             */
            url?: string | null;
            /** Version */
            version: string;
        };
        /**
         * DescribeNetwork
         * @description ``GET /cluster/network``: the last probe of every peer (cached until the next refresh).
         */
        DescribeNetwork: {
            /** Peers */
            peers: components["schemas"]["PeerNetwork"][];
            /**
             * Refreshed At
             * @default null
             */
            refreshed_at?: number | null;
        };
        /** DescribeOutputDir */
        DescribeOutputDir: {
            /** Config */
            config: string;
            counts: components["schemas"]["OutputCounts"] | null;
            /**
             * Default Gpus
             * @description GPUs a Run of this config reserves on this server when the request does not say: job.gpus, else at least one when the server has usable GPUs (null: the config is not run)
             * @default null
             */
            default_gpus?: number | null;
            /** Exists */
            exists: boolean;
            /** Gpus */
            gpus: number | null;
            job: components["schemas"]["ResolvedJob"] | null;
            /** Lab Path */
            lab_path: string | null;
            /** Nproc Per Node */
            nproc_per_node: number | string | null;
            /** Output Dir */
            output_dir: string | null;
        };
        /** DescribeOverrides */
        DescribeOverrides: {
            /** Config */
            config: string;
            /** Project Dir */
            project_dir: string;
            /** Values */
            values: {
                [key: string]: unknown;
            };
        };
        /**
         * DescribePreset
         * @description One preset: the generation parameters it sets.
         */
        DescribePreset: {
            /** Builtin */
            builtin: boolean;
            /** Name */
            name: string;
            /** Params */
            params: {
                [key: string]: unknown;
            };
        };
        /**
         * DescribeProbe
         * @description A node's pre-flight probe, computed once at its start.
         */
        DescribeProbe: {
            /**
             * Cpus
             * @description logical CPUs
             * @default null
             */
            cpus?: number | null;
            /** Interfaces */
            interfaces: components["schemas"]["ProbeInterface"][];
            /**
             * Memory Gb
             * @description total memory in GiB
             * @default null
             */
            memory_gb?: number | null;
            versions: components["schemas"]["ProbeVersions"];
        };
        /**
         * DescribeProject
         * @description ``GET /project``.
         */
        DescribeProject: {
            /** Config Prefix */
            config_prefix: string;
            /** Configs */
            configs: string[];
            /** Default Config */
            default_config: string | null;
            /** Description */
            description: string;
            /** Error */
            error: string | null;
            /** Has Readme */
            has_readme: boolean;
            /** Lab Path */
            lab_path: string | null;
            /** Name */
            name: string;
            /** Path */
            path: string;
            /** Template Paths */
            template_paths: string[];
            /** Workspace */
            workspace: string | null;
        };
        /**
         * DescribeProvenance
         * @description ``GET /jobs/{id}/provenance``: how a run was made, captured when it started.
         */
        DescribeProvenance: {
            /** Argv */
            argv: string[];
            /**
             * Attempt
             * @description the attempt this was captured for (retries re-capture)
             */
            attempt: number;
            /** Captured At */
            captured_at: number;
            /** @description config jobs only */
            config: components["schemas"]["ConfigProvenance"] | null;
            /** Cwd */
            cwd: string | null;
            /**
             * Env Keys
             * @description names of every variable the job got; never values
             */
            env_keys: string[];
            /** @description null outside a git repository */
            git: components["schemas"]["GitProvenance"] | null;
            /**
             * Git Diff
             * @description the file holding the uncommitted diff (GET /jobs/{id}/provenance/diff); null when there is none
             */
            git_diff: string | null;
            /** Gpus */
            gpus: components["schemas"]["GpuIdentity"][];
            host: components["schemas"]["HostProvenance"];
            /** Job Id */
            job_id: string;
            /** Packages */
            packages: components["schemas"]["PackageVersion"][];
            /**
             * Packages Source
             * @description job: read from the job's own interpreter; server: the server's environment (the job's argv[0] is not a Python interpreter, or asking it failed)
             */
            packages_source: string;
            /**
             * Problems
             * @description what could not be captured, and why
             */
            problems?: string[];
            /**
             * Python
             * @description the interpreter's version
             */
            python: string;
            /**
             * Python Executable
             * @description the interpreter packages were read from
             */
            python_executable: string | null;
        };
        /** DescribeReadme */
        DescribeReadme: {
            /** Lab Path */
            lab_path: string | null;
            /** Markdown */
            markdown: string;
            /** Path */
            path: string | null;
        };
        /**
         * DescribeRenderedConfig
         * @description ``GET /config/pp``; ``ignored`` are stored overrides the schema no longer has.
         */
        DescribeRenderedConfig: {
            /** Config */
            config: string;
            /** Ignored */
            ignored: string[];
            /** Values */
            values: {
                [key: string]: unknown;
            };
            /** Yaml */
            yaml: string;
        };
        /**
         * DescribeRendezvous
         * @description Where the ranks meet: the rdzv node's advertised address and the port.
         */
        DescribeRendezvous: {
            /** Host */
            host: string;
            /** Node Id */
            node_id: string;
            /** Port */
            port: number;
        };
        /** DescribeRunSummary */
        DescribeRunSummary: {
            /** Best Loss */
            best_loss: number | null;
            /** Eval Loss */
            eval_loss: number | null;
            /** Last Loss */
            last_loss: number | null;
            /** Malformed Lines */
            malformed_lines: number;
            /** Max Steps */
            max_steps: number | null;
            /** Perplexity */
            perplexity: number | null;
            /** Points */
            points: number;
            /** Run Dir */
            run_dir: string;
            /** Total Steps */
            total_steps: number | null;
        };
        /** DescribeRunTty */
        DescribeRunTty: {
            /** Run Dir */
            run_dir: string;
            /** Size Bytes */
            size_bytes: number;
            /** Text */
            text: string;
            /** Truncated */
            truncated: boolean;
        };
        /**
         * DescribeScheduler
         * @description Whether the scheduler dispatches, and what it holds.
         */
        DescribeScheduler: {
            /** Enabled */
            enabled: boolean;
            /** Queued */
            queued: number;
            /** Running */
            running: number;
        };
        /**
         * DescribeServerConfig
         * @description ``POST /server-config``: where the config file is (created from a template if missing).
         */
        DescribeServerConfig: {
            /**
             * Created
             * @description whether this call wrote the template
             */
            created: boolean;
            /**
             * Lab Path
             * @description the path under the server's root_dir, when JupyterLab can open it there (not inside a hidden directory); null: edit it through /server-config/content
             */
            lab_path: string | null;
            /**
             * Path
             * @description absolute path of jupyter_server_config.py
             */
            path: string;
            /**
             * Size
             * @description bytes
             */
            size: number;
        };
        /**
         * DescribeService
         * @description A configured service and what is running for it.
         */
        DescribeService: {
            /** Args */
            args: {
                [key: string]: unknown;
            };
            /**
             * Base Url
             * @default null
             */
            base_url?: string | null;
            /** Enabled */
            enabled: boolean;
            /**
             * Job Id
             * @default null
             */
            job_id?: string | null;
            /**
             * Message
             * @description why the service could not start, if so
             * @default null
             */
            message?: string | null;
            /** Name */
            name: string;
            /** Priority */
            priority: number;
            /** Requested Gpus */
            requested_gpus: number;
            /**
             * Running
             * @description a job with this signature is running
             */
            running: boolean;
            /** Signature */
            signature: string;
            /**
             * Source
             * @description settings: ForgatherLab.services (read-only, toggles are stored); user: created through the API
             * @enum {string}
             */
            source: "settings" | "user";
            /**
             * @description that job's status
             * @default null
             */
            status?: components["schemas"]["JobStatus"] | null;
            /** Type */
            type: string;
        };
        /**
         * DescribeTemplateGraph
         * @description ``GET /config/trefs``: nodes + edges (json) or ``dot``.
         */
        DescribeTemplateGraph: {
            /** Config */
            config: string;
            /**
             * Dot
             * @default null
             */
            dot?: string | null;
            /**
             * Edges
             * @default null
             */
            edges?: components["schemas"]["GraphEdge"][] | null;
            /**
             * Format
             * @enum {string}
             */
            format: "json" | "dot";
            /**
             * Nodes
             * @default null
             */
            nodes?: components["schemas"]["GraphNode"][] | null;
        };
        /** DescribeTemplatePaths */
        DescribeTemplatePaths: {
            /** Config Prefix */
            config_prefix: string;
            /** Configs Dir */
            configs_dir: string;
            /** Project Dir */
            project_dir: string;
            /** Search Path */
            search_path: string[];
            /** Templates Dir */
            templates_dir: string;
        };
        /**
         * DescribeTemplateSource
         * @description ``GET /template/source`` (the mtime is also in the ``X-Mtime`` header).
         */
        DescribeTemplateSource: {
            /** Content */
            content: string;
            /** Lab Path */
            lab_path: string | null;
            /** Mtime */
            mtime: number;
            /** Path */
            path: string | null;
        };
        /**
         * DescribeTrainerStatus
         * @description ``GET /jobs/{id}/status``: the trainer's latest report (nulls until it reports).
         */
        DescribeTrainerStatus: {
            /**
             * Commands
             * @description latest commands, newest first
             */
            commands: components["schemas"]["DescribeCommand"][];
            /** Connected At */
            connected_at: number | null;
            /**
             * Dropped
             * @description reports the reporter dropped while the server was away
             */
            dropped: number;
            /** Epoch */
            epoch: number | null;
            eval: components["schemas"]["EvalResult"] | null;
            /** Grad Norm */
            grad_norm: number | null;
            /**
             * Has Reporter
             * @description whether the job's code uses forgather_lab.reporter
             */
            has_reporter: boolean;
            /** Job Id */
            job_id: string;
            /** @description the job's own status (queued, running, done...) */
            job_status: components["schemas"]["JobStatus"];
            last_checkpoint: components["schemas"]["Checkpoint"] | null;
            /** Loss */
            loss: number | null;
            /** Lr */
            lr: number | null;
            /** Max Steps */
            max_steps: number | null;
            /**
             * Metrics
             * @description latest value of every metric
             */
            metrics: {
                [key: string]: number | null;
            };
            /**
             * Peak Memory
             * @description bytes, as the trainer reports it
             */
            peak_memory: number | null;
            /**
             * Progress
             * @description step / max_steps in percent
             */
            progress: number | null;
            /** Stage */
            stage: string | null;
            /** Step */
            step: number | null;
            /** Tokens Per S */
            tokens_per_s: number | null;
            /** Updated At */
            updated_at: number | null;
        };
        /**
         * DistributedLaunch
         * @description A config job's share of a multi-node run (``POST /cluster/jobs`` sets it).
         *
         *     With it the job runs torchrun in rendezvous mode (no ``--standalone``), and
         *     NCCL / Gloo / TensorPipe are pinned to ``iface``.
         */
        DistributedLaunch: {
            /**
             * Iface
             * @description *_SOCKET_IFNAME
             * @default null
             */
            iface?: string | null;
            /**
             * Is Host
             * @description this node hosts the rendezvous store (--rdzv-conf is_host)
             */
            is_host: boolean;
            /**
             * Local Addr
             * @description this node's address on iface (--local-addr): what rank 0 publishes as MASTER_ADDR instead of its hostname
             * @default null
             */
            local_addr?: string | null;
            /** Nnodes */
            nnodes: number;
            /** Node Rank */
            node_rank: number;
            /** Nproc Per Node */
            nproc_per_node: number;
            /** Rdzv Endpoint */
            rdzv_endpoint: string;
            /** Rdzv Id */
            rdzv_id: string;
        };
        /** DynamicArg */
        DynamicArg: {
            /** Action */
            action: ("store_true" | "store_false") | null;
            /** Choices */
            choices: unknown[] | null;
            /** Default */
            default: unknown;
            /** Help */
            help: string;
            /** Name */
            name: string;
            /**
             * Type
             * @enum {string}
             */
            type: "int" | "float" | "str" | "bool" | "path";
        };
        /**
         * EndExternal
         * @description ``POST /jobs/external/{id}/end`` (job token auth): how the trainer ended, in its words.
         */
        EndExternal: {
            /**
             * Error
             * @description the exception, for failed
             * @default null
             */
            error?: string | null;
            /**
             * Exit Code
             * @default null
             */
            exit_code?: number | null;
            /**
             * Outcome
             * @description done: closed normally; failed: an unhandled exception; aborted: Ctrl-C
             * @enum {string}
             */
            outcome: "done" | "failed" | "aborted";
        };
        /**
         * EndpointState
         * @description Where a long-running job stands: starting → ready | failed; stopped once it ends.
         * @enum {string}
         */
        EndpointState: "starting" | "ready" | "failed" | "stopped";
        /**
         * ErrorReply
         * @description Every 4xx and 5xx answer.
         */
        ErrorReply: {
            /**
             * Details
             * @description structured context, if any
             * @default null
             */
            details?: {
                [key: string]: unknown;
            } | null;
            /**
             * Message
             * @description what was wrong, in words
             */
            message: string;
            /**
             * Reason
             * @description a stable code: bad_request, not_found, conflict, forbidden, ...
             * @default null
             */
            reason?: string | null;
        };
        /**
         * EvalResult
         * @description The last evaluation a trainer reported.
         */
        EvalResult: {
            /** Metrics */
            metrics: {
                [key: string]: number | null;
            };
            /** Step */
            step: number;
        };
        /** Evaluation */
        Evaluation: {
            /** Lab Path */
            lab_path: string | null;
            /** Modified At */
            modified_at: number;
            /** Name */
            name: string;
            /** Path */
            path: string;
            /** Results */
            results: {
                [key: string]: unknown;
            } | null;
        };
        /**
         * ExecutedNotebook
         * @description ``GET /jobs/{id}/notebook``: the notebook as the job has executed it so far (nbformat 4).
         *
         *     Written by the job after each cell, so while it runs the cells up to the
         *     current one carry their outputs. ``metadata.forgather_lab`` says how far it
         *     got: ``status`` (running, done, failed), ``executed_cells`` / ``total_cells``
         *     (code cells), the ``parameters`` and, on failure, ``error`` (the cell's
         *     index, its first line, the exception's name and message).
         */
        ExecutedNotebook: {
            /** Cells */
            cells: {
                [key: string]: unknown;
            }[];
            /** Metadata */
            metadata: {
                [key: string]: unknown;
            };
            /** Nbformat */
            nbformat: number;
            /** Nbformat Minor */
            nbformat_minor: number;
        };
        /**
         * ExternalRegistration
         * @description The registered job and its callback token (shown once; the server keeps its hash).
         *
         *     The reporter then posts to ``/jobs/{id}/callback`` with ``Authorization:
         *     Bearer <token>``, as a queued job's reporter does.
         */
        ExternalRegistration: {
            job: components["schemas"]["DescribeJob"];
            /**
             * Token
             * @description the job's callback token
             */
            token: string;
        };
        /**
         * GitProvenance
         * @description The repository the job's working directory is in, at dispatch.
         */
        GitProvenance: {
            /**
             * Branch
             * @description the checked-out branch (null: detached HEAD)
             */
            branch: string | null;
            /**
             * Commit
             * @description HEAD's full hash (null: no commit yet)
             */
            commit: string | null;
            /**
             * Diff Bytes
             * @description size of the uncommitted diff against HEAD, in bytes
             */
            diff_bytes: number;
            /**
             * Diff Truncated
             * @description the diff was bigger than the cap; the file holds its start
             * @default false
             */
            diff_truncated?: boolean;
            /**
             * Dirty
             * @description tracked changes or untracked files, as `git status` sees
             */
            dirty: boolean;
            /**
             * Root
             * @description the work tree's top directory
             */
            root: string;
            /**
             * Untracked
             * @description untracked files (not in the diff), at most 100
             */
            untracked?: string[];
        };
        /**
         * GpuIdentity
         * @description A card the job was given.
         */
        GpuIdentity: {
            /** Index */
            index: number;
            /** Name */
            name: string;
            /** Uuid */
            uuid: string;
        };
        /**
         * GpuSummary
         * @description A node's cards: how many, and how many no job holds and no policy keeps closed.
         */
        GpuSummary: {
            /**
             * Idle
             * @default 0
             */
            idle?: number;
            /**
             * Total
             * @default 0
             */
            total?: number;
        };
        /** GraphEdge */
        GraphEdge: {
            /**
             * Kind
             * @enum {string}
             */
            kind: "extends" | "include" | "import" | "reference";
            /** Source */
            source: string;
            /** Target */
            target: string;
        };
        /** GraphNode */
        GraphNode: {
            /** Id */
            id: string;
            /** Lab Path */
            lab_path: string | null;
            /** Path */
            path: string | null;
            /** Root */
            root: boolean;
        };
        /**
         * HostProvenance
         * @description The machine the job ran on.
         */
        HostProvenance: {
            /** Hostname */
            hostname: string;
            /** Platform */
            platform: string;
        };
        /**
         * InitWorkspace
         * @description ``POST /workspace/init-here``: an existing directory under a search root.
         */
        InitWorkspace: {
            /**
             * Description
             * @default
             */
            description?: string;
            /** Name */
            name: string;
            /** Workspace Dir */
            workspace_dir: string;
        };
        /**
         * JobHistory
         * @description ``GET /jobs/{id}/history``: every transition, oldest first.
         */
        JobHistory: {
            /** Job Id */
            job_id: string;
            /** Transitions */
            transitions: components["schemas"]["JobTransition"][];
        };
        /**
         * JobsNode
         * @description One node of ``GET /jobs?scope=cluster``: whether its jobs could be read, and why not.
         */
        JobsNode: {
            /** Hostname */
            hostname: string;
            /** Is Self */
            is_self: boolean;
            /**
             * Message
             * @default null
             */
            message?: string | null;
            /** Node Id */
            node_id: string;
            /** Reachable */
            reachable: boolean;
            /**
             * Total
             * @default null
             */
            total?: number | null;
        };
        /**
         * JobStatus
         * @description queued → starting → running → done | failed | aborted; queued → cancelled.
         * @enum {string}
         */
        JobStatus: "queued" | "starting" | "running" | "done" | "failed" | "aborted" | "cancelled";
        /**
         * JobTransition
         * @description One step of a job's life: when, to which status, on which attempt, and why.
         */
        JobTransition: {
            /** At */
            at: number;
            /** Attempt */
            attempt: number;
            /**
             * Reason
             * @default null
             */
            reason?: string | null;
            status: components["schemas"]["JobStatus"];
        };
        /**
         * KillGpuProcesses
         * @description ``POST /gpus/{index}/kill``: must say ``confirmed: true``.
         */
        KillGpuProcesses: {
            /** Confirmed */
            confirmed: boolean;
        };
        /** KillGpuResult */
        KillGpuResult: {
            /** Failed */
            failed: number[];
            /** Killed */
            killed: number[];
            /** Pids */
            pids: number[];
        };
        /**
         * KillResult
         * @description What a kill did.
         */
        KillResult: {
            /** Exited */
            exited: boolean;
            job: components["schemas"]["DescribeJob"];
            /** Lingering */
            lingering: number[];
            /** Signal */
            signal: string;
        };
        /** ListCheckpoints */
        ListCheckpoints: {
            /** Checkpoints */
            checkpoints: components["schemas"]["Checkpoint"][];
        };
        /**
         * ListClusterGpus
         * @description ``GET /cluster/gpus``: every reachable node's cards, each with its ``node_id``.
         */
        ListClusterGpus: {
            /** Gpus */
            gpus: components["schemas"]["ClusterGpu"][];
            /** Nodes */
            nodes: components["schemas"]["ClusterGpuNode"][];
        };
        /**
         * ListClusterJobs
         * @description ``GET /cluster/jobs``: every bundle this node or a reachable peer keeps, newest first.
         */
        ListClusterJobs: {
            /** Jobs */
            jobs: components["schemas"]["DescribeClusterJob"][];
        };
        /** ListConfigTemplates */
        ListConfigTemplates: {
            /** Config */
            config: string;
            /** Templates */
            templates: components["schemas"]["TemplateEntry"][];
        };
        /**
         * ListDatasetServers
         * @description ``GET /dataset-servers``: running dataset_server jobs and user-added servers.
         */
        ListDatasetServers: {
            /** Servers */
            servers: components["schemas"]["DescribeDatasetServer"][];
        };
        /**
         * ListEndpoints
         * @description ``GET /inference/servers``.
         */
        ListEndpoints: {
            /** Servers */
            servers: components["schemas"]["DescribeEndpoint"][];
        };
        /** ListEvaluations */
        ListEvaluations: {
            /** Evaluations */
            evaluations: components["schemas"]["Evaluation"][];
        };
        /**
         * ListGpuPolicies
         * @description Policies by GPU index (as a string key, JSON objects have string keys).
         */
        ListGpuPolicies: {
            /** Policies */
            policies: {
                [key: string]: components["schemas"]["DescribeGpuPolicy"];
            };
        };
        /** ListGpus */
        ListGpus: {
            /** Backend */
            backend: string;
            /** Gpus */
            gpus: components["schemas"]["DescribeGpu"][];
            /** Simulated */
            simulated: boolean;
        };
        /**
         * ListJobs
         * @description A page of jobs.
         */
        ListJobs: {
            /** Jobs */
            jobs: components["schemas"]["DescribeJob"][];
            /**
             * Nodes
             * @description scope=cluster: every node asked, reachable or not
             * @default null
             */
            nodes?: components["schemas"]["JobsNode"][] | null;
            /**
             * Total
             * @default null
             */
            total?: number | null;
            /**
             * Unreachable
             * @description scope=cluster: the node_ids whose jobs are missing
             * @default null
             */
            unreachable?: string[] | null;
        };
        /**
         * ListMetrics
         * @description Metric series as ``[step, value]`` pairs (value null where NaN / inf was reported).
         */
        ListMetrics: {
            /** Series */
            series: {
                [key: string]: [
                    number,
                    number | null
                ][];
            };
        };
        /**
         * ListModels
         * @description ``GET /project/models``: one row per distinct output_dir.
         */
        ListModels: {
            /** Models */
            models: components["schemas"]["ModelOutput"][];
        };
        /**
         * ListPresets
         * @description ``GET /generation-configs``.
         */
        ListPresets: {
            /** Presets */
            presets: components["schemas"]["PresetSummary"][];
        };
        /**
         * ListProjects
         * @description ``GET /projects``: workspaces (nested) and the Unaffiliated projects.
         */
        ListProjects: {
            /** Root Dir */
            root_dir: string | null;
            /** Search Roots */
            search_roots: components["schemas"]["SearchRoot"][];
            /** Unaffiliated */
            unaffiliated: components["schemas"]["ProjectSummary"][];
            /** Workspaces */
            workspaces: components["schemas"]["WorkspaceNode"][];
        };
        /** ListRuns */
        ListRuns: {
            /** Runs */
            runs: components["schemas"]["Run"][];
        };
        /**
         * ListRunsTable
         * @description ``GET /runs``: newest first.
         */
        ListRunsTable: {
            /**
             * Metric Keys
             * @description every metric name in any row, sorted
             */
            metric_keys: string[];
            /** Runs */
            runs: components["schemas"]["RunRow"][];
        };
        /**
         * ListSearchRoots
         * @description ``GET /search-roots``.
         */
        ListSearchRoots: {
            /** Search Roots */
            search_roots: components["schemas"]["SearchRoot"][];
        };
        /**
         * ListServiceKinds
         * @description ``GET /services/kinds``.
         */
        ListServiceKinds: {
            /** Kinds */
            kinds: components["schemas"]["ServiceKind"][];
        };
        /**
         * ListServices
         * @description ``GET /services``.
         */
        ListServices: {
            /** Services */
            services: components["schemas"]["DescribeService"][];
        };
        /**
         * ListTemplates
         * @description ``GET /project/templates``.
         */
        ListTemplates: {
            /** Groups */
            groups: components["schemas"]["TemplateGroup"][];
        };
        /**
         * MetricSummary
         * @description A metric of one run: its last reported value and its range.
         */
        MetricSummary: {
            /**
             * Last
             * @description the value at the highest step
             */
            last: number | null;
            /** Last Step */
            last_step: number;
            /** Max */
            max: number | null;
            /** Min */
            min: number | null;
        };
        /** ModelOutput */
        ModelOutput: {
            /** Configs */
            configs: string[];
            counts: components["schemas"]["OutputCounts"];
            /** Exists */
            exists: boolean;
            /** Lab Path */
            lab_path: string | null;
            /** Output Dir */
            output_dir: string;
        };
        /**
         * OpenAIReply
         * @description Whatever the upstream answered (OpenAI-compatible JSON or an SSE stream).
         */
        OpenAIReply: {
            [key: string]: unknown;
        };
        /** OutputCounts */
        OutputCounts: {
            /** Checkpoints */
            checkpoints: number;
            /** Evaluations */
            evaluations: number;
            /** Runs */
            runs: number;
        };
        /**
         * PackageVersion
         * @description One installed distribution.
         */
        PackageVersion: {
            /** Name */
            name: string;
            /** Version */
            version: string;
        };
        /**
         * PeerLatency
         * @description Round trips to one peer's listener, warm-up samples left out (milliseconds).
         */
        PeerLatency: {
            /** Max Ms */
            max_ms: number;
            /** Median Ms */
            median_ms: number;
            /** Min Ms */
            min_ms: number;
            /** Samples */
            samples: number;
        };
        /**
         * PeerNetwork
         * @description The network probe's result for one peer.
         */
        PeerNetwork: {
            /**
             * Address
             * @default null
             */
            address?: string | null;
            /**
             * Bandwidth Mbps
             * @description HTTPS download, megabits per second
             * @default null
             */
            bandwidth_mbps?: number | null;
            /** Hostname */
            hostname: string;
            /** @default null */
            latency?: components["schemas"]["PeerLatency"] | null;
            /**
             * Measured At
             * @default null
             */
            measured_at?: number | null;
            /**
             * Message
             * @description why the peer could not be measured
             * @default null
             */
            message?: string | null;
            /** Node Id */
            node_id: string;
        };
        /**
         * PendingCommand
         * @description A command for the trainer.
         */
        PendingCommand: {
            /**
             * Command
             * @enum {string}
             */
            command: "save" | "stop" | "save-stop" | "abort";
            /** Id */
            id: number;
        };
        /**
         * PresetSummary
         * @description One generation preset in the list.
         */
        PresetSummary: {
            /**
             * Builtin
             * @description a bundled preset (read-only)
             */
            builtin: boolean;
            /** Name */
            name: string;
            /**
             * Shadowed
             * @description bundled, but a user preset of that name wins
             * @default false
             */
            shadowed?: boolean;
        };
        /**
         * ProbeInterface
         * @description One IPv4 interface of a node (to pick NCCL_SOCKET_IFNAME from).
         */
        ProbeInterface: {
            /** Address */
            address: string;
            /** Name */
            name: string;
            /**
             * Netmask
             * @default null
             */
            netmask?: string | null;
        };
        /**
         * ProbeVersions
         * @description What multi-node training needs to agree on; null where a package is absent.
         */
        ProbeVersions: {
            /**
             * Cuda
             * @default null
             */
            cuda?: string | null;
            /**
             * Forgather Lab
             * @default null
             */
            forgather_lab?: string | null;
            /**
             * Nccl
             * @default null
             */
            nccl?: string | null;
            /**
             * Platform
             * @default null
             */
            platform?: string | null;
            /**
             * Python
             * @default null
             */
            python?: string | null;
            /**
             * Torch
             * @default null
             */
            torch?: string | null;
            /**
             * Transformers
             * @default null
             */
            transformers?: string | null;
        };
        /**
         * ProjectSummary
         * @description A project row; ``error`` says why its meta.yaml could not be read.
         */
        ProjectSummary: {
            /** Config Prefix */
            config_prefix: string;
            /** Configs */
            configs: string[];
            /** Default Config */
            default_config: string | null;
            /** Description */
            description: string;
            /** Error */
            error: string | null;
            /** Lab Path */
            lab_path: string | null;
            /** Name */
            name: string;
            /** Path */
            path: string;
        };
        /**
         * RegisterExternal
         * @description ``POST /jobs/external``: a trainer started elsewhere (a terminal, a notebook) joins.
         *
         *     The server reads the process's command line and working directory itself
         *     (psutil), so what is shown is what runs, not what the trainer claims.
         */
        RegisterExternal: {
            /**
             * Cuda Visible Devices
             * @description the process's CUDA_VISIBLE_DEVICES: shown with the job, never reserved
             * @default null
             */
            cuda_visible_devices?: string | null;
            /**
             * Name
             * @description default: the script's name
             * @default null
             */
            name?: string | null;
            /**
             * Pid
             * @description the trainer's process id (os.getpid())
             */
            pid: number;
            /**
             * Python
             * @description the interpreter's version
             * @default null
             */
            python?: string | null;
        };
        /**
         * ReportBatch
         * @description ``POST /jobs/{id}/callback``: what the reporter sends every half second.
         */
        ReportBatch: {
            /**
             * Ack
             * @description command ids the trainer took
             */
            ack?: number[];
            /**
             * Dropped
             * @description reports dropped so far (buffer full)
             * @default 0
             */
            dropped?: number;
            /**
             * Final
             * @default false
             */
            final?: boolean;
            /**
             * Hello
             * @description sent once when the reporter starts
             * @default null
             */
            hello?: {
                [key: string]: unknown;
            } | null;
            /** Records */
            records?: components["schemas"]["ReportRecord"][];
        };
        /**
         * ReportRecord
         * @description One thing the trainer reported.
         */
        ReportRecord: {
            /**
             * Kind
             * @enum {string}
             */
            kind: "progress" | "eval" | "checkpoint" | "stage";
            /**
             * Max Steps
             * @default null
             */
            max_steps?: number | null;
            /** Metrics */
            metrics?: {
                [key: string]: unknown;
            };
            /**
             * Name
             * @default null
             */
            name?: string | null;
            /**
             * Path
             * @default null
             */
            path?: string | null;
            /**
             * Step
             * @default null
             */
            step?: number | null;
            /**
             * Time
             * @default null
             */
            time?: number | null;
        };
        /**
         * ReportReply
         * @description What the callback answers: every command not yet acknowledged.
         */
        ReportReply: {
            /** Commands */
            commands: components["schemas"]["PendingCommand"][];
        };
        /**
         * RerunJob
         * @description ``POST /jobs/{id}/rerun``: the original job again, with these changes.
         */
        RerunJob: {
            /**
             * Dynamic Args
             * @description config jobs: merged over the original's dynamic args
             * @default null
             */
            dynamic_args?: {
                [key: string]: unknown;
            } | null;
            /**
             * Name
             * @default null
             */
            name?: string | null;
            /**
             * Priority
             * @default null
             */
            priority?: number | null;
            /**
             * Requested Gpus
             * @default null
             */
            requested_gpus?: number | null;
        };
        /**
         * ResolvedJob
         * @description A config's resolved ``job`` block; ``argv`` is the single-process command line.
         *
         *     Not ``DescribeJob``: that name is the job record's (``models/jobs.py``), and
         *     the OpenAPI document keys schemas by class name.
         */
        ResolvedJob: {
            /** Args */
            args: string[];
            /** Argv */
            argv: string[];
            /**
             * Config Class
             * @description meta.config_class of the config (may be empty)
             * @default
             */
            config_class?: string;
            /** Cwd */
            cwd: string;
            /** Env */
            env: {
                [key: string]: string;
            };
            /**
             * Gpus
             * @description GPUs the config reserves; null when it does not say (training and eval then take at least one when the server has usable GPUs)
             */
            gpus: number | null;
            /** Module */
            module: string | null;
            /** Nproc Per Node */
            nproc_per_node: number | string;
            /** Output Dir */
            output_dir: string;
            /** Script */
            script: string | null;
        };
        /** Run */
        Run: {
            /** Has Metrics */
            has_metrics: boolean;
            /** Has Tty */
            has_tty: boolean;
            /** Lab Path */
            lab_path: string | null;
            /** Modified At */
            modified_at: number;
            /** Name */
            name: string;
            /** Path */
            path: string;
        };
        /**
         * RunRow
         * @description One job of a project or config.
         */
        RunRow: {
            /** Attempt */
            attempt: number;
            /** Config */
            config: string | null;
            /** Created At */
            created_at: number;
            /**
             * Duration
             * @description seconds run (so far, while running)
             */
            duration: number | null;
            /** Dynamic Args */
            dynamic_args: {
                [key: string]: unknown;
            };
            /** Ended At */
            ended_at: number | null;
            /** Group */
            group: string | null;
            /** Id */
            id: string;
            /** Job Type */
            job_type: string;
            /** Metrics */
            metrics: {
                [key: string]: components["schemas"]["MetricSummary"];
            };
            /** Name */
            name: string;
            /**
             * Owner
             * @description who submitted it (null until there are owners)
             */
            owner: string | null;
            /** Rerun Of */
            rerun_of: string | null;
            /** Started At */
            started_at: number | null;
            status: components["schemas"]["JobStatus"];
        };
        /** SavedTemplateSource */
        SavedTemplateSource: {
            /** Lab Path */
            lab_path: string | null;
            /** Mtime */
            mtime: number;
            /** Path */
            path: string | null;
        };
        /**
         * SavePreset
         * @description ``PUT /generation-configs/{name}``: the generation parameters as the body.
         *
         *     ``{"temperature": 0.7, "top_p": 0.9}``, as Forgather's own API takes them
         *     (OpenAI and HuggingFace names; an unknown name is a 400). The wrapped
         *     form ``{"params": {...}}`` is accepted too and stores any names (a
         *     server's own extensions).
         */
        SavePreset: {
            [key: string]: unknown;
        } | {
            params: {
                [key: string]: unknown;
            };
        };
        /**
         * SaveTemplateSource
         * @description ``PUT /template/source``; with ``expected_mtime`` a newer file on disk is a 409.
         */
        SaveTemplateSource: {
            /** Content */
            content: string;
            /**
             * Expected Mtime
             * @default null
             */
            expected_mtime?: number | null;
            /** Path */
            path: string;
        };
        /** SearchRoot */
        SearchRoot: {
            /** Exists */
            exists: boolean;
            /** Lab Path */
            lab_path: string | null;
            /** Path */
            path: string;
            /**
             * Source
             * @enum {string}
             */
            source: "config" | "user";
        };
        /**
         * ServerConfigContent
         * @description ``GET /server-config/content``: the file's text.
         */
        ServerConfigContent: {
            /** Content */
            content: string;
            /** Path */
            path: string;
        };
        /**
         * ServiceKind
         * @description A service kind the Lab has a launch dialog for.
         */
        ServiceKind: {
            /**
             * Label
             * @description what the dialog is called (Inference, TensorBoard, ...)
             */
            label: string;
            /**
             * Requested Gpus
             * @description GPUs a service of this kind reserves by default
             */
            requested_gpus: number;
            /**
             * Schema
             * @description the job_params as a flat JSON Schema: {type: object, properties: {name: {type: string | number | integer | boolean | array, title, description, default, enum, format: path, minimum, maximum, items}}, required}
             */
            schema: {
                [key: string]: unknown;
            };
            /**
             * Type
             * @description the job type: inference | tensorboard | docs | dataset_server
             */
            type: string;
        };
        /**
         * SetOverrides
         * @description ``POST /config/overrides``: replaces the stored values.
         */
        SetOverrides: {
            /**
             * Config
             * @default null
             */
            config?: string | null;
            /** Project Dir */
            project_dir: string;
            /** Values */
            values: {
                [key: string]: unknown;
            };
        };
        /**
         * SetServiceEnabled
         * @description ``POST /services/{type}/{name}/enabled``.
         */
        SetServiceEnabled: {
            /** Enabled */
            enabled: boolean;
        };
        /** TemplateEntry */
        TemplateEntry: {
            /** Lab Path */
            lab_path: string | null;
            /** Name */
            name: string;
            /** Path */
            path: string | null;
        };
        /** TemplateGroup */
        TemplateGroup: {
            /** Group */
            group: string;
            /**
             * Root
             * @default null
             */
            root?: string | null;
            /** Templates */
            templates: components["schemas"]["TemplateEntry"][];
        };
        /**
         * UpdateGpuPolicy
         * @description ``POST /gpus/{index}/policy``: fields left out are left alone.
         */
        UpdateGpuPolicy: {
            /**
             * Disabled
             * @default null
             */
            disabled?: boolean | null;
            /**
             * Min Priority
             * @default null
             */
            min_priority?: number | null;
        };
        /**
         * UpdateQueuedJob
         * @description ``PATCH /queue/{id}``: change a queued job's priority or name.
         */
        UpdateQueuedJob: {
            /**
             * Name
             * @default null
             */
            name?: string | null;
            /**
             * Priority
             * @default null
             */
            priority?: number | null;
        };
        /**
         * UpdateScheduler
         * @description ``POST /queue/scheduler``: pause or resume.
         */
        UpdateScheduler: {
            /** Enabled */
            enabled: boolean;
        };
        /**
         * UpdateServerConfig
         * @description ``PUT /server-config/content``: the file's new text (UTF-8, no NUL, at most 1 MiB).
         */
        UpdateServerConfig: {
            /** Content */
            content: string;
        };
        /**
         * UpsertService
         * @description ``POST /services``: create or replace ``<type>/<name>``.
         */
        UpsertService: {
            /**
             * Args
             * @description the job's job_params
             */
            args?: {
                [key: string]: unknown;
            };
            /**
             * Enabled
             * @default true
             */
            enabled?: boolean;
            /**
             * Name
             * @description an operator-chosen label
             */
            name: string;
            /**
             * Priority
             * @default 0
             */
            priority?: number;
            /**
             * Requested Gpus
             * @description default: 1 for inference (when the server has a GPU), else 0
             * @default null
             */
            requested_gpus?: number | null;
            /**
             * Type
             * @description a job type: inference | tensorboard | command
             */
            type: string;
        };
        /** WorkspaceNode */
        WorkspaceNode: {
            /** Description */
            description: string;
            /** Error */
            error: string | null;
            /** Lab Path */
            lab_path: string | null;
            /** Name */
            name: string;
            /** Path */
            path: string;
            /** Projects */
            projects: components["schemas"]["ProjectSummary"][];
            /** Workspaces */
            workspaces: components["schemas"]["WorkspaceNode"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    Cluster_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeCluster"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ClusterGpus_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListClusterGpus"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ClusterJobs_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListClusterJobs"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ClusterJobs_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateClusterJob"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeClusterJob"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description a participant is no cluster member (reason no_such_node) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description versions differ between participants (reason version_mismatch), or cluster mode is off (reason cluster_disabled) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description a participant is unreachable (node_unreachable), or its interface cannot be told (no_interface) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description a participant stopped answering during the fanout (rolled back) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ClusterJob_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bundle_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeClusterJob"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such multi-node job on this node or a reachable peer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ClusterJobCancel_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                bundle_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeClusterJob"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description only its owner or an admin may cancel it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such multi-node job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ClusterNetwork_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeNetwork"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ClusterNetworkRefresh_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeNetwork"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ClusterGpuPolicy_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                index: number;
                node_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateGpuPolicy"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeGpuPolicy"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such node or GPU */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the node is unreachable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ConfigDynamicArgs_get: {
        parameters: {
            query: {
                config?: string | null;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeDynamicArgs"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ConfigMeta_get: {
        parameters: {
            query: {
                config?: string | null;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeConfigMeta"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ConfigOutputDir_get: {
        parameters: {
            query: {
                config?: string | null;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeOutputDir"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Overrides_get: {
        parameters: {
            query: {
                config?: string | null;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeOverrides"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Overrides_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetOverrides"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeOverrides"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Overrides_delete: {
        parameters: {
            query: {
                config?: string | null;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeOverrides"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ConfigPp_get: {
        parameters: {
            query: {
                config?: string | null;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeRenderedConfig"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ConfigRaw_get: {
        parameters: {
            query: {
                config?: string | null;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeConfigSource"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ConfigTemplates_get: {
        parameters: {
            query: {
                config?: string | null;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListConfigTemplates"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ConfigTrefs_get: {
        parameters: {
            query: {
                config?: string | null;
                format?: "json" | "dot";
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeTemplateGraph"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DatasetServers_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListDatasetServers"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DatasetServers_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateDatasetServer"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeDatasetServer"];
                };
            };
            /** @description a bad URL, or a label / URL / token with CR, LF or control characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not a loopback URL (dataset_servers_loopback_only) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the URL is registered already */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DatasetServer_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                server_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeleteDatasetServerResult"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such server */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description a dataset_server job's (stop the job instead) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DatasetProxy_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                path: string;
                server_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not a registered dataset server */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the server could not be reached */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the server has not started listening yet */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DatasetProxyByUrl_get: {
        parameters: {
            query: {
                url: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not a registered dataset server */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the server could not be reached */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the server has not started listening yet */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DocsView_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                grant: string;
                job_id: string;
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not a valid view link */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such docs job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description it ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description still starting */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DocsProxy_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such docs job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description it ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description still starting */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Events_get: {
        parameters: {
            query?: {
                since?: number | null;
                types?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description too many open streams for this client */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DeleteDir_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeletePath"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots, the state directory, or not something the Lab deletes */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    DeleteFile_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeletePath"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots, the state directory, or not something the Lab deletes */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Presets_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListPresets"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Preset_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribePreset"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such preset */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Preset_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SavePreset"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribePreset"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Preset_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeletePresetResult"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description bundled presets are read-only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such preset */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Gpus_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListGpus"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    GpuKill_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                index: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KillGpuProcesses"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KillGpuResult"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such GPU */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    GpuPolicy_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                index: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateGpuPolicy"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeGpuPolicy"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such GPU */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    GpuPolicies_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListGpuPolicies"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    GpuStream_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeHealth"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description degraded: the state database is unusable (message says why) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeHealth"];
                };
            };
        };
    };
    InferenceChat_post: {
        parameters: {
            query: {
                base: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OpenAIReply"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAIReply"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description upstream not allowed (loopback lock) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description upstream unreachable */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    InferenceCompletions_post: {
        parameters: {
            query: {
                base: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OpenAIReply"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAIReply"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description upstream not allowed (loopback lock) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description upstream unreachable */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    InferenceHealth_get: {
        parameters: {
            query: {
                base: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAIReply"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description upstream not allowed (loopback lock) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description upstream unreachable */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    InferenceModels_get: {
        parameters: {
            query: {
                base: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAIReply"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description upstream not allowed (loopback lock) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description upstream unreachable */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    InferenceServers_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListEndpoints"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Jobs_get: {
        parameters: {
            query?: {
                before?: string | null;
                limit?: number;
                offset?: number;
                owner?: string | null;
                scope?: "node" | "cluster";
                status?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListJobs"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Job_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeJob"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description cluster mode: the node holding it does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Job_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description job not finished */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Callback_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReportBatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReportReply"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no job token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not this job's token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the job has ended: its token no longer reports */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the disk holding the state is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Control_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                action: string;
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ControlResult"];
                };
            };
            /** @description unknown action */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description job not running, or it has no reporter */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description cluster mode: the node holding it does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    History_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobHistory"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    InlineProgress_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeInlineProgress"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Metrics_get: {
        parameters: {
            query?: {
                max_points?: number;
                names?: string | null;
                since_step?: number;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListMetrics"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description cluster mode: the node holding it does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    MetricsCsv_get: {
        parameters: {
            query?: {
                keys?: string | null;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ExecutedNotebook_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutedNotebook"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job, or not a notebook job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the job has not started yet */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Provenance_get: {
        parameters: {
            query?: {
                download?: number;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeProvenance"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job; or provenance not captured yet (reason provenance_pending) or never (provenance_missing) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ProvenanceDiff_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/x-diff": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job; or provenance not captured yet (reason provenance_pending) or never (provenance_missing) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Rerun_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RerunJob"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeJob"];
                };
            };
            /** @description invalid changes (nothing is queued) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Status_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeTrainerStatus"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Tty_get: {
        parameters: {
            query?: {
                follow?: number;
                max_bytes?: number;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description cluster mode: the node holding it does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Cleanup_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CleanupResult"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    RegisterExternal_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterExternal"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalRegistration"];
                };
            };
            /** @description no such process, or it has ended */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description another user's process */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ExternalEnd_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EndExternal"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeJob"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no job token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not this job's token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the job has ended already, or is not external */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ExternalCleanup_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CleanupResult"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Gc_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CleanupResult"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Compare_get: {
        parameters: {
            query: {
                axis?: "step" | "time";
                jobs: string;
                keys?: string | null;
                max_points?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CompareMetrics"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Checkpoints_get: {
        parameters: {
            query: {
                output_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListCheckpoints"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Evaluations_get: {
        parameters: {
            query: {
                output_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListEvaluations"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Runs_get: {
        parameters: {
            query: {
                output_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListRuns"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    OpenAPI_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ProjectDetail_get: {
        parameters: {
            query: {
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeProject"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Asset_get: {
        parameters: {
            query: {
                asset: string;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description larger than the cap */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ProjectModels_get: {
        parameters: {
            query: {
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListModels"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    NewTemplate_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTemplate"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedTemplate"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description already exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Readme_get: {
        parameters: {
            query: {
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeReadme"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    TemplatePaths_get: {
        parameters: {
            query: {
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeTemplatePaths"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ListTemplates_get: {
        parameters: {
            query: {
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListTemplates"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Projects_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListProjects"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Queue_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListJobs"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Queue_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateJob"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeJob"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description cluster mode: no such node (reason no_such_node) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the caller has user_queue_limit jobs queued already */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the state directory is read-only or unusable, or the node asked for does not answer (reason peer_unreachable) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the state directory's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    QueueItem_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeJob"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description already finished */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description cluster mode: the node holding it does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    QueueItem_patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateQueuedJob"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeJob"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the job is not queued (any more) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Batch_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateJobBatch"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListJobs"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description these jobs would put the caller over user_queue_limit */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the state directory is read-only or unusable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Scheduler_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeScheduler"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Scheduler_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateScheduler"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeScheduler"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Sweep_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSweep"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListJobs"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description these jobs would put the caller over user_queue_limit */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description the state directory is read-only or unusable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    RunSummary_get: {
        parameters: {
            query: {
                run_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeRunSummary"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    RunTty_get: {
        parameters: {
            query: {
                run_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeRunTty"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    RunsTable_get: {
        parameters: {
            query: {
                config?: string | null;
                limit?: number;
                project_dir: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListRunsTable"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    SearchRoots_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListSearchRoots"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    SearchRoots_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AddSearchRoot"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListSearchRoots"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the server's root_dir */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such directory */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    SearchRoots_delete: {
        parameters: {
            query: {
                path: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListSearchRoots"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description a root from the server configuration */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not a search root */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ServerConfig_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeServerConfig"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ServerConfigContent_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServerConfigContent"];
                };
            };
            /** @description too big */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not created yet */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ServerConfigContent_put: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateServerConfig"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeServerConfig"];
                };
            };
            /** @description not text, or too big */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Services_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListServices"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Services_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpsertService"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeService"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Service_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                type: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeService"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such service */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    Service_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                type: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeleteServiceResult"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description declared in settings */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such service */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ServiceEnabled_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                type: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetServiceEnabled"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeService"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such service */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    ServiceKinds_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListServiceKinds"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    TensorBoardView_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                grant: string;
                job_id: string;
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not a valid view link */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such TensorBoard job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description it ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description still starting */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    TensorBoardView_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                grant: string;
                job_id: string;
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not a valid view link */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such TensorBoard job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description it ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description still starting */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    TensorBoardProxy_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such TensorBoard job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description it ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description still starting */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    TensorBoardProxy_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description not authenticated or not authorized */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such TensorBoard job */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description it ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description still starting */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    TemplateSource_get: {
        parameters: {
            query: {
                path: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribeTemplateSource"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description a binary file */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    TemplateSource_put: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SaveTemplateSource"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SavedTemplateSource"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description changed on disk: current_mtime, expected_mtime */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    InitWorkspace_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InitWorkspace"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedWorkspace"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description already exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    NewWorkspace_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateWorkspace"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedWorkspace"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description already exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
    NewProject_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateProject"];
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedProject"];
                };
            };
            /** @description bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description outside the search roots */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description no such project, config or file */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
            /** @description already exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorReply"];
                };
            };
        };
    };
}
