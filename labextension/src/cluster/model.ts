/**
 * The cluster as the Lab knows it. One `GET /cluster` when the panel is
 * first shown; only when that says `enabled` does the model poll (members
 * and every node's GPUs, every `clusterPollSeconds`) and read the cached
 * network probe, so a standalone server sees that one request and no more.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import {
  ClusterJobsApi,
  type ICreateClusterJob,
  type IDescribeClusterJob
} from '../client/clusterJobs';
import { type ApiClient, ForgatherApiError, describeError } from '../client/core';
import {
  ClusterApi,
  type ClusterGpu,
  type DescribeCluster,
  type DescribeNetwork,
  type ListClusterGpus,
  type UpdateGpuPolicy
} from './api';

export const DEFAULT_POLL_SECONDS = 5;

export class ClusterModel {
  constructor(
    api: ApiClient,
    private readonly _pollSeconds: () => number = () => DEFAULT_POLL_SECONDS
  ) {
    this.api = new ClusterApi(api);
    this.jobsApi = new ClusterJobsApi(api);
  }

  readonly api: ClusterApi;
  readonly jobsApi: ClusterJobsApi;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Whether the server is in cluster mode (false until the first answer, and standalone). */
  get enabled(): boolean {
    return this._cluster?.enabled ?? false;
  }

  get cluster(): DescribeCluster | null {
    return this._cluster;
  }

  get network(): DescribeNetwork | null {
    return this._network;
  }

  /** Whether a network measurement is under way. */
  get measuring(): boolean {
    return this._measuring;
  }

  get error(): string | null {
    return this._error;
  }

  /** Why a node's GPUs could not be listed, by node id. */
  gpuMessage(nodeId: string): string | null {
    const node = this._gpus?.nodes.find(n => n.node_id === nodeId);
    return node?.message ?? null;
  }

  /** Multi-node jobs, newest first (null: not asked yet, or the server has no such call). */
  get clusterJobs(): readonly IDescribeClusterJob[] | null {
    return this._clusterJobs;
  }

  get clusterJobsError(): string | null {
    return this._clusterJobsError;
  }

  /**
   * "gpu-box-1", or "gpu-box-1 · 0a1b2c3d" where two members share a host
   * name (nodes on one machine); the node id itself for a node not in the table.
   */
  nodeLabel(nodeId: string): string {
    const members = this._cluster?.members ?? [];
    const member = members.find(m => m.node_id === nodeId);
    if (!member) {
      return nodeId.slice(0, 8);
    }
    const twins = members.filter(m => m.hostname === member.hostname).length > 1;
    return twins ? `${member.hostname} · ${shortId(nodeId, members)}` : member.hostname;
  }

  /** Start a multi-node job (`POST /cluster/jobs`); the list follows at once. */
  async createClusterJob(body: ICreateClusterJob): Promise<IDescribeClusterJob> {
    const job = await this.jobsApi.create(body);
    await this._loadClusterJobs();
    this._changed.emit();
    return job;
  }

  /** Cancel every rank of a multi-node job. */
  async cancelClusterJob(id: string): Promise<void> {
    try {
      await this.jobsApi.cancel(id);
      this._clusterJobsError = null;
    } catch (error) {
      this._clusterJobsError = describeError(error);
    }
    await this._loadClusterJobs();
    this._changed.emit();
  }

  gpusOf(nodeId: string): ClusterGpu[] {
    return (this._gpus?.gpus ?? []).filter(g => g.node_id === nodeId);
  }

  /** Ask once; poll on only in cluster mode (idempotent; never from `activate()`). */
  start(): void {
    if (this._started || this._disposed) {
      return;
    }
    this._started = true;
    void this.refresh().then(() => {
      if (this._cluster === null) {
        this._started = false; // the server did not answer: ask again next time
        return;
      }
      if (!this.enabled || this._disposed) {
        return;
      }
      void this._loadNetwork();
      this._poll = new Poll({
        factory: () => this.refresh(),
        frequency: { interval: this._interval(), backoff: true, max: 60000 },
        standby: 'when-hidden',
        name: 'forgather:cluster'
      });
    });
  }

  /** Ask for the members (and, in cluster mode, every node's GPUs) now. */
  async refresh(): Promise<void> {
    try {
      this._cluster = await this.api.get();
      this._error = null;
      if (this._cluster.enabled) {
        const [gpus] = await Promise.all([
          this.api.gpus().catch(() => this._gpus),
          this._loadClusterJobs()
        ]);
        this._gpus = gpus;
      }
    } catch (error) {
      this._error = describeError(error);
    }
    this._changed.emit();
  }

  /** Measure every reachable peer (POST /cluster/network/refresh). */
  async measureNetwork(): Promise<void> {
    if (this._measuring) {
      return;
    }
    this._measuring = true;
    this._networkError = null;
    this._changed.emit();
    try {
      this._network = await this.api.measureNetwork();
    } catch (error) {
      this._networkError = describeError(error);
    } finally {
      this._measuring = false;
      this._changed.emit();
    }
  }

  get networkError(): string | null {
    return this._networkError;
  }

  async setPolicy(nodeId: string, index: number, policy: UpdateGpuPolicy): Promise<void> {
    await this.api.setPolicy(nodeId, index, policy);
    await this.refresh();
  }

  /** The poll interval changed in the settings. */
  settingsChanged(): void {
    if (this._poll) {
      this._poll.frequency = { ...this._poll.frequency, interval: this._interval() };
    }
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll?.dispose();
    Signal.clearData(this);
  }

  private async _loadNetwork(): Promise<void> {
    try {
      this._network = await this.api.network();
      this._changed.emit();
    } catch (error) {
      this._networkError = describeError(error);
    }
  }

  /** `GET /cluster/jobs`; a server without it (404) lists none and shows nothing. */
  private async _loadClusterJobs(): Promise<void> {
    try {
      this._clusterJobs = (await this.jobsApi.list()).jobs;
    } catch (error) {
      if (error instanceof ForgatherApiError && error.status === 404) {
        this._clusterJobs = null;
        return;
      }
      this._clusterJobsError = describeError(error);
    }
  }

  private _interval(): number {
    return Math.max(1, this._pollSeconds()) * 1000;
  }

  private _cluster: DescribeCluster | null = null;
  private _gpus: ListClusterGpus | null = null;
  private _clusterJobs: IDescribeClusterJob[] | null = null;
  private _clusterJobsError: string | null = null;
  private _network: DescribeNetwork | null = null;
  private _measuring = false;
  private _error: string | null = null;
  private _networkError: string | null = null;
  private _started = false;
  private _poll: Poll | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}

/** The id's first 8 characters, or its last 6 where another member's id starts the same. */
function shortId(nodeId: string, members: readonly { node_id: string }[]): string {
  const head = nodeId.slice(0, 8);
  const shared = members.some(m => m.node_id !== nodeId && m.node_id.startsWith(head));
  return shared ? `…${nodeId.slice(-6)}` : head;
}
