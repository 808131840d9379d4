/**
 * The front end's view of the server's health: one place that owns it and
 * signals changes. Widgets only render what the model holds.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from './client';
import type { DescribeHealth } from './client/schemas';

export class ForgatherModel {
  constructor(readonly client: ForgatherClient) {}

  /** Emitted whenever health (or the error reaching it) changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get health(): DescribeHealth | null {
    return this._health;
  }

  /** Why the server could not be asked, when it could not. */
  get error(): string | null {
    return this._error;
  }

  /**
   * Start polling. Not called at plugin activation, so Lab's start never
   * waits on this server; the panel starts it when first shown.
   */
  start(): void {
    if (this._poll) {
      return;
    }
    this._poll = new Poll({
      factory: () => this.refresh(),
      frequency: { interval: 15000, backoff: true, max: 120000 },
      standby: 'when-hidden',
      name: 'forgather:health'
    });
  }

  /** Ask the server now. */
  async refresh(): Promise<void> {
    try {
      this._health = await this.client.health.get();
      this._error = null;
    } catch (error) {
      this._error = describeError(error);
    }
    this._changed.emit();
  }

  dispose(): void {
    this._poll?.dispose();
    Signal.clearData(this);
  }

  private _health: DescribeHealth | null = null;
  private _error: string | null = null;
  private _poll: Poll | null = null;
  private _changed = new Signal<this, void>(this);
}
