/**
 * Auto-start services as the sidebar knows them: polled (standby when the
 * sidebar is hidden), refreshed at once after each action.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import type { DescribeService, UpsertService } from '../client/schemas';

export class ServicesModel {
  constructor(readonly client: ForgatherClient) {}

  services: DescribeService[] = [];
  error: string | null = null;
  loaded = false;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  start(): void {
    if (this._poll) {
      return;
    }
    this._poll = new Poll({
      factory: () => this.refresh(),
      frequency: { interval: 5000, backoff: true, max: 60000 },
      standby: 'when-hidden'
    });
  }

  async refresh(): Promise<void> {
    try {
      this.services = await this.client.services.list();
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
    this.loaded = true;
    this._changed.emit();
  }

  setEnabled(service: DescribeService, enabled: boolean): Promise<void> {
    return this._act(() => this.client.services.setEnabled(service, enabled));
  }

  remove(service: DescribeService): Promise<void> {
    return this._act(() => this.client.services.remove(service));
  }

  /** Add or replace a service; rejects with the server's message. */
  async upsert(body: UpsertService): Promise<void> {
    await this.client.services.upsert(body);
    await this.refresh();
  }

  private async _act(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
    await this.refresh();
  }

  private _poll: Poll | null = null;
  private _changed = new Signal<this, void>(this);
}
