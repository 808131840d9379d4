/** The GPU pool (`/gpus`; handlers/gpus.py). */
import type { ApiClient } from './core';
import type { KillGpuResult, ListGpus, UpdateGpuPolicy } from './schemas';

export class GpusApi {
  constructor(private readonly _api: ApiClient) {}

  list(): Promise<ListGpus> {
    return this._api.get('gpus');
  }

  async setPolicy(index: number, policy: UpdateGpuPolicy): Promise<void> {
    await this._api.post('gpus/{index}/policy', { path: { index }, body: policy });
  }

  /** SIGKILL every process on a card. */
  kill(index: number): Promise<KillGpuResult> {
    return this._api.post('gpus/{index}/kill', { path: { index }, body: { confirmed: true } });
  }

  /** The telemetry WebSocket: a `ListGpus` snapshot every sample and on change. */
  streamUrl(): string {
    return this._api.socketUrl('gpus/stream');
  }
}
