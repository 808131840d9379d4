/**
 * The GPU pool as the front end knows it: telemetry from the server's GPU
 * stream (a WebSocket snapshot every 2 s and on change), policy changes from
 * the event stream, and a Lumino Poll while the socket is down.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ForgatherApiError, IGpu, IGpuList, jsonBody, requestAPI, wsURL } from '../api';
import { ForgatherEvents, IForgatherEvent } from '../events';

export class GpusModel {
  constructor(readonly events: ForgatherEvents) {
    events.received.connect(this._onEvent, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get gpus(): readonly IGpu[] {
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

  /** Start listening (idempotent); never called from `activate()`. */
  start(): void {
    if (this._poll) {
      return;
    }
    this.events.start();
    this._poll = new Poll({
      factory: () => (this._socket ? Promise.resolve() : this.refresh()),
      frequency: { interval: 5000, backoff: true, max: 60000 },
      standby: 'when-hidden',
      name: 'forgather:gpus'
    });
    this._connect();
  }

  async refresh(): Promise<void> {
    try {
      this._set(await requestAPI<IGpuList>('gpus'));
    } catch (error) {
      this._error = error instanceof ForgatherApiError ? error.message : String(error);
      this._changed.emit();
    }
  }

  async setPolicy(index: number, policy: { disabled?: boolean; min_priority?: number }) {
    await requestAPI(`gpus/${index}/policy`, jsonBody('POST', policy));
    await this.refresh();
  }

  async kill(index: number): Promise<{ killed: number[]; failed: number[] }> {
    const result = await requestAPI<{ killed: number[]; failed: number[] }>(
      `gpus/${index}/kill`,
      jsonBody('POST', { confirmed: true })
    );
    await this.refresh();
    return result;
  }

  dispose(): void {
    this._disposed = true;
    this._poll?.dispose();
    this._socket?.close();
    Signal.clearData(this);
  }

  private _connect(): void {
    if (this._disposed) {
      return;
    }
    const socket = new WebSocket(wsURL('gpus/stream'));
    socket.onmessage = msg => {
      this._retry = 1000;
      try {
        this._set(JSON.parse(String(msg.data)) as IGpuList);
      } catch {
        // not a snapshot; ignore
      }
    };
    socket.onopen = () => {
      this._socket = socket;
    };
    socket.onclose = () => {
      this._socket = null;
      void this._poll?.refresh();
      this._retry = Math.min(this._retry * 2, 60000);
      setTimeout(() => this._connect(), this._retry);
    };
  }

  private _set(list: IGpuList): void {
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

  private _list: IGpuList | null = null;
  private _error: string | null = null;
  private _poll: Poll | null = null;
  private _socket: WebSocket | null = null;
  private _retry = 1000;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
