"""Numbered schema migrations, tracked by ``PRAGMA user_version``.

Append a new script to ``MIGRATIONS``; never edit one that has shipped. Each
script runs in its own transaction together with the version bump, so a crash
mid-migration leaves the previous version intact.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: settings, jobs (one row per job from enqueue to the end), GPU policy.
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE jobs (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        id              TEXT NOT NULL UNIQUE,
        name            TEXT NOT NULL,
        job_type        TEXT NOT NULL,
        status          TEXT NOT NULL,
        priority        INTEGER NOT NULL DEFAULT 0,
        requested_gpus  INTEGER NOT NULL DEFAULT 0,
        gpus            TEXT NOT NULL DEFAULT '[]',
        params          TEXT NOT NULL DEFAULT '{}',
        pid             INTEGER,
        pid_create_time REAL,
        exit_code       INTEGER,
        error           TEXT,
        log_path        TEXT,
        token_hash      TEXT,
        node            TEXT NOT NULL DEFAULT 'local',
        created_at      REAL NOT NULL,
        started_at      REAL,
        ended_at        REAL
    );
    CREATE INDEX jobs_status ON jobs (status, priority DESC, seq);
    CREATE TABLE gpu_policy (
        gpu_index    INTEGER PRIMARY KEY,
        disabled     INTEGER NOT NULL DEFAULT 0,
        min_priority INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: projects: persisted search roots and per-config dynamic-args overrides.
    """
    CREATE TABLE search_roots (
        path       TEXT PRIMARY KEY,
        position   INTEGER NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE config_overrides (
        project_dir TEXT NOT NULL,
        config      TEXT NOT NULL,
        "values"    TEXT NOT NULL DEFAULT '{}',
        updated_at  REAL NOT NULL,
        PRIMARY KEY (project_dir, config)
    );
    """,
    # 3: trainer control: queued commands with delivery / acknowledgement times, the
    # latest trainer status per job, and metric series (clustered by job, name, step
    # so a range read is one index walk; a repeated step keeps the latest value) with
    # min / max rollups per bucket of 16, 256, 4096 and 65536 steps for cheap overviews.
    """
    CREATE TABLE job_commands (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id          TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        command         TEXT NOT NULL,
        created_at      REAL NOT NULL,
        delivered_at    REAL,
        acknowledged_at REAL
    );
    CREATE INDEX job_commands_job ON job_commands (job_id, acknowledged_at, id);
    CREATE TABLE job_trainer_status (
        job_id       TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        status       TEXT NOT NULL DEFAULT '{}',
        connected_at REAL NOT NULL,
        updated_at   REAL NOT NULL
    );
    CREATE TABLE metrics (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        step   INTEGER NOT NULL,
        value  REAL,
        PRIMARY KEY (job_id, name, step)
    ) WITHOUT ROWID;
    CREATE TABLE metric_rollups (
        job_id    TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        name      TEXT NOT NULL,
        width     INTEGER NOT NULL,
        bucket    INTEGER NOT NULL,
        min_step  INTEGER NOT NULL,
        min_value REAL NOT NULL,
        max_step  INTEGER NOT NULL,
        max_value REAL NOT NULL,
        count     INTEGER NOT NULL,
        PRIMARY KEY (job_id, name, width, bucket)
    ) WITHOUT ROWID;
    """,
    # 4: inference / TensorBoard endpoints (where a long-running job answers and
    # whether it is ready), user generation presets, auto-start services.
    """
    CREATE TABLE job_endpoints (
        job_id     TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        state      TEXT NOT NULL,
        base_url   TEXT,
        health_url TEXT,
        model      TEXT,
        message    TEXT,
        updated_at REAL NOT NULL
    );
    CREATE TABLE generation_presets (
        name       TEXT PRIMARY KEY,
        params     TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE services (
        type           TEXT NOT NULL,
        name           TEXT NOT NULL,
        enabled        INTEGER NOT NULL,
        args           TEXT NOT NULL DEFAULT '{}',
        priority       INTEGER NOT NULL DEFAULT 0,
        requested_gpus INTEGER,
        updated_at     REAL NOT NULL,
        PRIMARY KEY (type, name)
    );
    """,
    # 5: list jobs by status newest first (GET /jobs?status=...) without a sort.
    """
    CREATE INDEX jobs_status_seq ON jobs (status, seq);
    """,
    # 6: scheduling and runs: what a job waits for (dependencies), its limits
    # (time, GPU memory), whether it may be preempted or retried, which attempt
    # runs now, its sweep group, when it last entered the queue (reservations
    # age from it) and what it re-runs; every transition of a job with its reason.
    # ``retries`` counts the requeues after a failure (a preemption raises
    # ``attempt`` but spends no retry).
    """
    ALTER TABLE jobs ADD COLUMN depends_on TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE jobs ADD COLUMN time_limit REAL;
    ALTER TABLE jobs ADD COLUMN gpu_memory INTEGER;
    ALTER TABLE jobs ADD COLUMN preemptible INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN max_retries INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE jobs ADD COLUMN group_id TEXT;
    ALTER TABLE jobs ADD COLUMN queued_at REAL;
    ALTER TABLE jobs ADD COLUMN rerun_of TEXT;
    ALTER TABLE jobs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX jobs_group ON jobs (group_id) WHERE group_id IS NOT NULL;
    CREATE TABLE job_history (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        at      REAL NOT NULL,
        status  TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        reason  TEXT
    );
    CREATE INDEX job_history_job ON job_history (job_id, id);
    """,
    # 7: dataset servers a user registered by URL (dataset_server jobs are listed
    # from their jobs). A server's bearer token is not kept here: it lives in a
    # 0600 file under <state_dir>/dataset_servers/, and the row only says whether
    # there is one.
    """
    CREATE TABLE dataset_servers (
        id         TEXT PRIMARY KEY,
        label      TEXT NOT NULL,
        url        TEXT NOT NULL UNIQUE,
        has_token  INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    """,
    # 8: jobs handed to an engine (Slurm, Ray): which executor ran the job and the
    # engine's id of it (Slurm job id, Ray submission id), so a restart finds it again.
    """
    ALTER TABLE jobs ADD COLUMN executor TEXT NOT NULL DEFAULT 'local';
    ALTER TABLE jobs ADD COLUMN external_id TEXT;
    """,
    # 9: the wall time of each metric point (unix seconds: the reporter's own when its
    # record carries one, else when the server received it), for a compare on a
    # wall-time axis, and the time of each rollup bucket's lowest and highest point so
    # that axis reads no more rows than the step axis. NULL for points stored before.
    """
    ALTER TABLE metrics ADD COLUMN time REAL;
    ALTER TABLE metric_rollups ADD COLUMN min_time REAL;
    ALTER TABLE metric_rollups ADD COLUMN max_time REAL;
    """,
    # 10: a shared pool (issue 15): who submitted each job (NULL for jobs queued
    # before owners were recorded: nobody but an admin may act on them in hub mode),
    # and each user's decayed GPU-seconds for fair sharing (``usage`` as of
    # ``updated_at``; it halves every ``fair_share_half_life``).
    """
    ALTER TABLE jobs ADD COLUMN owner TEXT;
    CREATE INDEX jobs_owner ON jobs (owner, status);
    CREATE TABLE fair_share (
        owner      TEXT PRIMARY KEY,
        usage      REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
    # history pages at a million jobs (issue 19): one owner's jobs newest first
    # without sorting them all, and a narrow index on seq, so an OFFSET that must be
    # walked steps over index entries, not over whole rows in the table's b-tree.
    """
    CREATE INDEX jobs_owner_seq ON jobs (owner, seq);
    CREATE INDEX jobs_seq ON jobs (seq);
    """,
    # compare at 100 runs x 1,000,000 points (issue 18): metric rollups 4x apart, so
    # a curve is one range read of a single level (no GROUP BY at query time). The
    # new widths 64 / 1024 / 16384 are derived from 16 / 256 / 4096 (a bucket's
    # lowest and highest point are those of its sub-buckets: MIN() / MAX() take their
    # bare columns from the row holding the extreme, hence one grouping for each).
    # Measured here: 2.5 s for 10^7 stored points (9 s on the busy machine), once. OR
    # IGNORE: a bucket a newer server already wrote is kept.
    """
    INSERT OR IGNORE INTO metric_rollups (job_id, name, width, bucket, min_step, min_value,
        max_step, max_value, count, min_time, max_time)
    SELECT lo.job_id, lo.name, 64, lo.b, lo.min_step, lo.min_value, hi.max_step, hi.max_value,
        lo.n, lo.min_time, hi.max_time
    FROM (SELECT job_id, name, bucket / 4 AS b, min_step, MIN(min_value) AS min_value,
            min_time, SUM(count) AS n
          FROM metric_rollups WHERE width = 16 GROUP BY job_id, name, b) AS lo
    JOIN (SELECT job_id, name, bucket / 4 AS b, max_step, MAX(max_value) AS max_value,
            max_time
          FROM metric_rollups WHERE width = 16 GROUP BY job_id, name, b) AS hi
    USING (job_id, name, b);
    INSERT OR IGNORE INTO metric_rollups (job_id, name, width, bucket, min_step, min_value,
        max_step, max_value, count, min_time, max_time)
    SELECT lo.job_id, lo.name, 1024, lo.b, lo.min_step, lo.min_value, hi.max_step, hi.max_value,
        lo.n, lo.min_time, hi.max_time
    FROM (SELECT job_id, name, bucket / 4 AS b, min_step, MIN(min_value) AS min_value,
            min_time, SUM(count) AS n
          FROM metric_rollups WHERE width = 256 GROUP BY job_id, name, b) AS lo
    JOIN (SELECT job_id, name, bucket / 4 AS b, max_step, MAX(max_value) AS max_value,
            max_time
          FROM metric_rollups WHERE width = 256 GROUP BY job_id, name, b) AS hi
    USING (job_id, name, b);
    INSERT OR IGNORE INTO metric_rollups (job_id, name, width, bucket, min_step, min_value,
        max_step, max_value, count, min_time, max_time)
    SELECT lo.job_id, lo.name, 16384, lo.b, lo.min_step, lo.min_value, hi.max_step, hi.max_value,
        lo.n, lo.min_time, hi.max_time
    FROM (SELECT job_id, name, bucket / 4 AS b, min_step, MIN(min_value) AS min_value,
            min_time, SUM(count) AS n
          FROM metric_rollups WHERE width = 4096 GROUP BY job_id, name, b) AS lo
    JOIN (SELECT job_id, name, bucket / 4 AS b, max_step, MAX(max_value) AS max_value,
            max_time
          FROM metric_rollups WHERE width = 4096 GROUP BY job_id, name, b) AS hi
    USING (job_id, name, b);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
