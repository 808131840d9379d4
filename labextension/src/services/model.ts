/**
 * Auto-start services as the sidebar knows them: polled (standby when the
 * sidebar is hidden), refreshed at once after each action; the service
 * kinds with their launch dialogs' schemas (asked for once, when a dialog
 * first opens) and the values those dialogs remember.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import type { DescribeService, UpsertService } from '../client/schemas';
import { LaunchMemory, type ServiceKind } from './schemaForm';

export class ServicesModel {
  constructor(readonly client: ForgatherClient) {}

  services: DescribeService[] = [];
  error: string | null = null;
  loaded = false;
  /** The last values of each launch dialog, in this browser. */
  readonly memory = new LaunchMemory();

  /** The kinds this server has launch dialogs for (`GET /services/kinds`), asked once. */
  kinds(): Promise<ServiceKind[]> {
    if (!this._kinds) {
      this._kinds = this.client.api.get('services/kinds').then(
        r => r.kinds,
        (e: unknown) => {
          this._kinds = null; // asked again next time
          throw e;
        }
      );
    }
    return this._kinds;
  }

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
  async upsert(body: UpsertService): Promise<DescribeService> {
    const service = await this.client.services.upsert(body);
    await this.refresh();
    return service;
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
  private _kinds: Promise<ServiceKind[]> | null = null;
  private _changed = new Signal<this, void>(this);
}
