/**
 * The cluster as the Lab knows it. One `GET /cluster` when the panel is
 * first shown; only when that says `enabled` does the model poll (members
 * and every node's GPUs, every `clusterPollSeconds`) and read the cached
 * network probe, so a standalone server sees that one request and no more.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ApiClient, describeError } from '../client/core';
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
  }

  readonly api: ClusterApi;

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
        this._gpus = await this.api.gpus().catch(() => this._gpus);
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

  private _interval(): number {
    return Math.max(1, this._pollSeconds()) * 1000;
  }

  private _cluster: DescribeCluster | null = null;
  private _gpus: ListClusterGpus | null = null;
  private _network: DescribeNetwork | null = null;
  private _measuring = false;
  private _error: string | null = null;
  private _networkError: string | null = null;
  private _started = false;
  private _poll: Poll | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
