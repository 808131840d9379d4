/**
 * Multi-node jobs (`/cluster/jobs…`; handlers/cluster_jobs.py, models/cluster_jobs.py):
 * one torchrun per participant node, rendezvous on one of them, a rolled-up status.
 */
import type { ApiClient, Schemas } from './core';

/** One node of a multi-node job: how many GPUs (workers) it runs there, and on which interface. */
export type IClusterParticipant = Schemas['CreateClusterParticipant'];
/** `POST /cluster/jobs`. */
export type ICreateClusterJob = Schemas['CreateClusterJob'];
/** One rank (one node's torchrun) of a multi-node job. */
export type IClusterRank = Schemas['DescribeClusterRank'];
/** The bundle, its rendezvous and every rank, its status rolled up over theirs. */
export type IDescribeClusterJob = Schemas['DescribeClusterJob'];
export type IListClusterJobs = Schemas['ListClusterJobs'];

export class ClusterJobsApi {
  constructor(private readonly _api: ApiClient) {}

  /** Every multi-node job this node or a reachable peer keeps, newest first. */
  list(): Promise<IListClusterJobs> {
    return this._api.get('cluster/jobs');
  }

  get(id: string): Promise<IDescribeClusterJob> {
    return this._api.get('cluster/jobs/{bundle_id}', { path: { bundle_id: id } });
  }

  /** Fan out one torchrun per participant (201); 409 on a version mismatch unless allowed. */
  create(body: ICreateClusterJob): Promise<IDescribeClusterJob> {
    return this._api.post('cluster/jobs', { body });
  }

  /** Cancel (or stop) every rank. */
  cancel(id: string): Promise<IDescribeClusterJob> {
    return this._api.post('cluster/jobs/{bundle_id}/cancel', { path: { bundle_id: id } });
  }
}
