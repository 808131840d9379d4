/**
 * The one event stream of a front end: `GET /forgather/api/events` (SSE).
 *
 * Read with `fetch` through the transport rather than `EventSource`, so the
 * same authentication applies as to every other call (Lab's token header and
 * XSRF, or the page's in a widget), named and unnamed SSE events are both
 * understood, and a reconnect resumes with `Last-Event-ID`. Models subscribe
 * to `received`; while the stream is down (`connected` false) they poll.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import type { ITransport } from './core';
import type { DescribeJob } from './schemas';

/** One event: `type` plus whatever the server sent with it. */
export interface IForgatherEvent {
  type: string;
  id?: number;
  job_id?: string;
  /** `job_status_changed`: the record as `GET /jobs/{id}` answers it. */
  job?: DescribeJob;
  [key: string]: unknown;
}

export class ForgatherEvents {
  /** `types`: only these event types (comma-separated); all when left out. */
  constructor(
    readonly transport: ITransport,
    readonly types: string[] = []
  ) {}

  /** Every event, in order. */
  get received(): ISignal<this, IForgatherEvent> {
    return this._received;
  }

  /** Emitted when the stream connects or drops. */
  get connectionChanged(): ISignal<this, boolean> {
    return this._connectionChanged;
  }

  get connected(): boolean {
    return this._connected;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Open the stream (idempotent). Never called from a plugin's `activate()`. */
  start(): void {
    if (this._running || this._disposed) {
      return;
    }
    this._running = true;
    void this._loop();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._abort?.abort();
    clearTimeout(this._timer);
    this._wake?.();
    Signal.clearData(this);
  }

  private async _loop(): Promise<void> {
    let delay = 1000;
    while (!this._disposed) {
      const status = await this._connectOnce();
      this._setConnected(false);
      if (this._disposed) {
        return;
      }
      // A missing endpoint (older server) is retried rarely; a dropped one soon.
      const wait = status === 404 ? 60000 : delay;
      delay = status === 200 ? 1000 : Math.min(delay * 2, 30000);
      await new Promise<void>(resolve => {
        this._wake = resolve;
        this._timer = setTimeout(resolve, wait);
      });
    }
  }

  /** One connection; resolves with the HTTP status (0 if unreachable). */
  private async _connectOnce(): Promise<number> {
    this._abort = new AbortController();
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (this._lastId !== null) {
      headers['Last-Event-ID'] = this._lastId;
    }
    const path = this.types.length
      ? `events?types=${encodeURIComponent(this.types.join(','))}`
      : 'events';
    let response: Response;
    try {
      response = await this.transport.fetch(path, {
        headers,
        signal: this._abort.signal,
        cache: 'no-store'
      });
    } catch {
      return 0;
    }
    if (!response.ok || !response.body) {
      return response.status;
    }
    this._setConnected(true);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer += value.replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this._dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // dropped or aborted: the loop reconnects
    }
    return 200;
  }

  private _dispatch(block: string): void {
    let name = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        continue; // keep-alive comment
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') {
        name = value;
      } else if (field === 'data') {
        data.push(value);
      } else if (field === 'id') {
        this._lastId = value;
      }
    }
    if (data.length === 0) {
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    if (payload === null || typeof payload !== 'object') {
      return;
    }
    const event = payload as IForgatherEvent;
    if (typeof event.type !== 'string') {
      event.type = name;
    }
    this._received.emit(event);
  }

  private _setConnected(value: boolean): void {
    if (this._connected !== value) {
      this._connected = value;
      this._connectionChanged.emit(value);
    }
  }

  private _running = false;
  private _disposed = false;
  private _connected = false;
  private _lastId: string | null = null;
  private _abort: AbortController | null = null;
  private _timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private _wake: (() => void) | null = null;
  private _received = new Signal<this, IForgatherEvent>(this);
  private _connectionChanged = new Signal<this, boolean>(this);
}
