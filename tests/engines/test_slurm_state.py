"""Reading Slurm's JSON: 22.05's shapes (as the real cluster prints them) and 23.x's."""

from __future__ import annotations

from forgather_lab.executors import slurm_state


def test_exit_statuses_from_wait_status_and_23x_objects() -> None:
    assert slurm_state.exit_status({"exit_code": 768}) == 3
    assert slurm_state.exit_status({"exit_code": 15}) == -15
    assert slurm_state.exit_status({"exit_code": 0}) == 0
    new = {"exit_code": {"return_code": {"set": True, "number": 2}, "signal": {"id": {}}}}
    assert slurm_state.exit_status(new) == 2
    killed = {"exit_code": {"return_code": 0, "signal": {"id": {"set": True, "number": 9}}}}
    assert slurm_state.exit_status(killed) == -9


def test_states_and_reasons_map_onto_ours() -> None:
    pending = slurm_state.engine_job(
        {"job_id": 7, "job_state": "PENDING", "state_reason": "QOSMaxGRESPerUser", "nodes": ""}
    )
    assert pending.phase == "pending"
    assert pending.reason == "Slurm: QOSMaxGRESPerUser (the QOS's per-user GPU limit is reached)"
    assert pending.node is None
    running = slurm_state.engine_job({"job_id": 7, "job_state": ["RUNNING"], "nodes": "n[1-2]"})
    assert (running.phase, running.node, running.reason) == ("running", "n[1-2]", None)
    # Cancelled by Slurm with a 0 status is not a success: how it ended is unknown.
    cancelled = slurm_state.engine_job({"job_id": 7, "job_state": "CANCELLED", "exit_code": 0})
    assert (cancelled.phase, cancelled.exit_code) == ("ended", None)
    done = slurm_state.engine_job({"job_id": 7, "job_state": "COMPLETED", "exit_code": 0})
    assert (done.phase, done.exit_code) == ("ended", 0)


def test_gres_strings_and_partition_filter() -> None:
    assert slurm_state.gpu_count("gpu:4") == (4, "gpu")
    assert slurm_state.gpu_count("gpu:a100:8(S:0-1)") == (8, "a100")
    assert slurm_state.gpu_count("gpu:(null):2(IDX:0-1)") == (2, "gpu")
    assert slurm_state.gpu_count("") == (0, "gpu")
    sinfo = {
        "nodes": [
            {"name": "a", "gres": "gpu:4", "gres_used": "gpu:1", "partitions": ["gpu"]},
            {"name": "b", "gres": "", "gres_used": "", "partitions": ["cpu"]},
        ]
    }
    nodes = slurm_state.pool_nodes(sinfo, "gpu")
    assert [(n.name, n.gpus, n.gpus_used) for n in nodes] == [("a", 4, 1)]
    assert len(slurm_state.pool_nodes(sinfo, None)) == 2
