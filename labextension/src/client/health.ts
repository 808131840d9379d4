/** `GET /health` (handlers/meta.py). */
import type { ApiClient } from './core';
import type { DescribeHealth } from './schemas';

export class HealthApi {
  constructor(private readonly _api: ApiClient) {}

  /** Health; a degraded server answers 503 with the same body, which says why. */
  get(): Promise<DescribeHealth> {
    return this._api.get('health', { accept: [503] });
  }
}
