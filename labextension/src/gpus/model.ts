/**
 * The GPU pool as a front end knows it: telemetry from the server's GPU
 * stream (a snapshot every sample and on change), policy changes from the
 * event stream, and a Lumino Poll while the socket is down. Shared by the
 * Lab's GPUs section and the notebook's `GpuDashboard`.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import { type ForgatherEvents, type IForgatherEvent } from '../client/events';
import type {
  DescribeGpu,
  DescribeJob,
  KillGpuResult,
  ListGpus,
  UpdateGpuPolicy
} from '../client/schemas';
import type { ForgatherSettings } from '../settings';

/** The jobs holding `gpu` (several when they share it), among the jobs a front end knows. */
export function jobsOnGpu(gpu: DescribeGpu, jobs: readonly DescribeJob[]): DescribeJob[] {
  return jobs.filter(
    j => (j.status === 'running' || j.status === 'starting') && j.gpus.includes(gpu.index)
  );
}

/** Bytes the jobs on a card declared (`gpu_memory`, MiB per GPU); 0 when none did. */
export function declaredBytes(jobs: readonly DescribeJob[]): number {
  return jobs.reduce((sum, j) => sum + (j.gpu_memory ?? 0), 0) * 1024 ** 2;
}

export class GpusModel {
  constructor(
    readonly client: ForgatherClient,
    readonly events: ForgatherEvents,
    readonly settings: ForgatherSettings
  ) {
    events.received.connect(this._onEvent, this);
    settings.changed.connect(this._onSettings, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get gpus(): readonly DescribeGpu[] {
    return this._list?.gpus ?? [];
  }

  get backend(): string | null {
    return this._list?.backend ?? null;
  }

  get simulated(): boolean {
    return this._list?.simulated ?? false;
  }

  get loaded(): boolean {
    return this._list !== null;
  }

  get error(): string | null {
    return this._error;
  }

  /** Whether the live stream is up (else the model polls). */
  get live(): boolean {
    return this._socket !== null;
  }

  /** Start listening (idempotent); never called from `activate()`. */
  start(): void {
    if (this._poll || this._disposed) {
      return;
    }
    this.events.start();
    this._poll = new Poll({
      factory: () => (this._socket ? Promise.resolve() : this.refresh()),
      frequency: { interval: this._interval(), backoff: true, max: 60000 },
      standby: 'when-hidden',
      name: 'forgather:gpus'
    });
    this._connect();
  }

  async refresh(): Promise<void> {
    try {
      this._set(await this.client.gpus.list());
    } catch (error) {
      this._error = describeError(error);
      this._changed.emit();
    }
  }

  async setPolicy(index: number, policy: UpdateGpuPolicy): Promise<void> {
    await this.client.gpus.setPolicy(index, policy);
    await this.refresh();
  }

  async kill(index: number): Promise<KillGpuResult> {
    const result = await this.client.gpus.kill(index);
    await this.refresh();
    return result;
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
    clearTimeout(this._timer);
    const socket = this._socket ?? this._connecting;
    this._socket = this._connecting = null;
    socket?.close();
    Signal.clearData(this);
  }

  private _interval(): number {
    return this.settings.values.gpuPollSeconds * 1000;
  }

  private _connect(): void {
    if (this._disposed) {
      return;
    }
    const socket = new WebSocket(this.client.gpus.streamUrl());
    this._connecting = socket;
    socket.onmessage = msg => {
      this._retry = 1000;
      try {
        this._set(JSON.parse(String(msg.data)) as ListGpus);
      } catch {
        // not a snapshot; ignore
      }
    };
    socket.onopen = () => {
      this._socket = socket;
      this._connecting = null;
    };
    socket.onclose = () => {
      if (this._disposed) {
        return;
      }
      this._socket = this._connecting = null;
      void this._poll?.refresh();
      this._retry = Math.min(this._retry * 2, 60000);
      this._timer = setTimeout(() => this._connect(), this._retry);
    };
  }

  private _set(list: ListGpus): void {
    this._list = list;
    this._error = null;
    this._changed.emit();
  }

  private _onEvent(_: ForgatherEvents, event: IForgatherEvent): void {
    if (event.type === 'gpu_policy_changed' || event.type === 'job_status_changed') {
      if (!this._socket) {
        void this.refresh();
      }
    }
  }

  private _onSettings(): void {
    if (this._poll) {
      this._poll.frequency = { ...this._poll.frequency, interval: this._interval() };
    }
  }

  private _list: ListGpus | null = null;
  private _error: string | null = null;
  private _poll: Poll | null = null;
  private _socket: WebSocket | null = null;
  private _connecting: WebSocket | null = null;
  private _timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private _retry = 1000;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
