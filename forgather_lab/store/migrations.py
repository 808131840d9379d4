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
]

SCHEMA_VERSION = len(MIGRATIONS)
