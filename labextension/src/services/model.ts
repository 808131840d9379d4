/**
 * Auto-start services as the sidebar knows them: polled (standby when the
 * sidebar is hidden), refreshed at once after each action.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { requestAPI } from '../api';

/** `GET /services` rows (forgather_lab/models/services.py). */
export interface IService {
  type: string;
  name: string;
  enabled: boolean;
  args: Record<string, unknown>;
  priority: number;
  requested_gpus: number;
  source: 'settings' | 'user';
  signature: string;
  running: boolean;
  job_id: string | null;
  status: string | null;
  base_url: string | null;
  message: string | null;
}

export class ServicesModel {
  services: IService[] = [];
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
      this.services = (await requestAPI<{ services: IService[] }>('services')).services;
      this.error = null;
    } catch (e) {
      this.error = String((e as Error).message ?? e);
    }
    this.loaded = true;
    this._changed.emit();
  }

  async setEnabled(service: IService, enabled: boolean): Promise<void> {
    await this._act(`services/${service.type}/${service.name}/enabled`, 'POST', { enabled });
  }

  async remove(service: IService): Promise<void> {
    await this._act(`services/${service.type}/${service.name}`, 'DELETE');
  }

  async upsert(body: Record<string, unknown>): Promise<void> {
    await this._act('services', 'POST', body);
  }

  private async _act(path: string, method: string, body?: unknown): Promise<void> {
    try {
      await requestAPI(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      this.error = null;
    } catch (e) {
      this.error = String((e as Error).message ?? e);
    }
    await this.refresh();
  }

  private _poll: Poll | null = null;
  private _changed = new Signal<this, void>(this);
}
