/** Auto-start services (`/services`; handlers/services.py). */
import type { ApiClient } from './core';
import type { DescribeService, UpsertService } from './schemas';

export class ServicesApi {
  constructor(private readonly _api: ApiClient) {}

  async list(): Promise<DescribeService[]> {
    return (await this._api.get('services')).services;
  }

  upsert(body: UpsertService): Promise<DescribeService> {
    return this._api.post('services', { body });
  }

  setEnabled(service: DescribeService, enabled: boolean): Promise<DescribeService> {
    return this._api.post('services/{type}/{name}/enabled', {
      path: { type: service.type, name: service.name },
      body: { enabled }
    });
  }

  async remove(service: DescribeService): Promise<void> {
    await this._api.delete('services/{type}/{name}', {
      path: { type: service.type, name: service.name }
    });
  }
}
