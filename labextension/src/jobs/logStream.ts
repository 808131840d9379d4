/**
 * A job's log as it streams: the WebSocket `/jobs/{id}/tty?follow=1` (the
 * backlog, then live output; the server closes it when the job ends), or the
 * capped tail over HTTP when the socket cannot be opened. Views render
 * `received` chunks; `reset` means a new connection starts over.
 * Shared by the Lab's job view and the notebook's `JobView`.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import type { ForgatherSettings } from '../settings';

const KEEP = 1_000_000;

export class JobLogStream {
  constructor(
    readonly client: ForgatherClient,
    readonly jobId: string,
    readonly settings: ForgatherSettings
  ) {}

  /** Each chunk of output, in order. */
  get received(): ISignal<this, string> {
    return this._received;
  }

  /** A new connection: what was shown is replaced by its backlog. */
  get reset(): ISignal<this, void> {
    return this._reset;
  }

  /** Everything received since the last reset (the last megabyte of it). */
  get text(): string {
    return this._text;
  }

  /** Whether the server is still streaming. */
  get live(): boolean {
    return this._socket !== null;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** (Re)connect; called when a view opens and when its job starts running. */
  connect(): void {
    if (this._socket || this._disposed) {
      return;
    }
    this._text = '';
    this._reset.emit();
    let opened = false;
    const backlog = this.settings.values.logBacklogBytes;
    const socket = new WebSocket(this.client.jobs.logSocketUrl(this.jobId, backlog));
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = msg => this._write(String(msg.data));
    socket.onclose = () => {
      if (this._socket === socket) {
        this._socket = null;
      }
      if (!opened && !this._disposed) {
        void this._fetchTail();
      }
    };
    this._socket = socket;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    const socket = this._socket;
    this._socket = null;
    socket?.close();
    Signal.clearData(this);
  }

  private async _fetchTail(): Promise<void> {
    try {
      this._write(await this.client.jobs.tail(this.jobId, this.settings.values.logBacklogBytes));
    } catch (error) {
      this._write(`\x1b[31m${describeError(error)}\x1b[0m\n`);
    }
  }

  private _write(data: string): void {
    if (this._disposed) {
      return;
    }
    this._text = (this._text + data).slice(-KEEP);
    this._received.emit(data);
  }

  private _socket: WebSocket | null = null;
  private _text = '';
  private _disposed = false;
  private _received = new Signal<this, string>(this);
  private _reset = new Signal<this, void>(this);
}
