/**
 * What the Datasets view shows: the registered servers (polled while the
 * view is visible), and for the one picked its datasets, the splits of the
 * dataset picked and one page of its rows. Widgets render it and call its
 * methods; it alone calls the API.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import {
  type CreateDatasetServer,
  DatasetsApi,
  type DescribeDatasetServer,
  type IDatasetInfo,
  type IPreviewPage,
  type ISplitInfo
} from './api';

export const PAGE_SIZE = 20;

export class DatasetsModel {
  constructor(client: ForgatherClient) {
    this.api = new DatasetsApi(client);
  }

  readonly api: DatasetsApi;
  servers: DescribeDatasetServer[] = [];
  loaded = false;
  error: string | null = null;

  serverId: string | null = null;
  datasets: IDatasetInfo[] = [];
  dataset: string | null = null;
  splits: ISplitInfo[] = [];
  split: string | null = null;
  page: IPreviewPage | null = null;
  /** Why the server, dataset or page could not be read (shown next to it). */
  detailError: string | null = null;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get server(): DescribeDatasetServer | null {
    return this.servers.find(s => s.id === this.serverId) ?? null;
  }

  /** Poll the registry while the view is visible. */
  start(): void {
    if (this._poll) {
      return;
    }
    this._poll = new Poll({
      factory: () => this.refresh(),
      frequency: { interval: 10000, backoff: true, max: 60000 },
      standby: 'when-hidden'
    });
  }

  dispose(): void {
    this._poll?.dispose();
    this._poll = null;
  }

  async refresh(): Promise<void> {
    try {
      this.servers = await this.api.servers();
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
    this.loaded = true;
    const current = this.server;
    if (!current && this.servers.length) {
      const ready = this.servers.find(s => s.status === 'ready') ?? this.servers[0];
      await this.selectServer(ready?.id ?? null);
      return;
    }
    if (current && current.status === 'ready' && !this.datasets.length) {
      await this.selectServer(current.id);
      return;
    }
    this._changed.emit();
  }

  async selectServer(id: string | null): Promise<void> {
    this.serverId = id;
    this.datasets = [];
    this.dataset = null;
    this.splits = [];
    this.split = null;
    this.page = null;
    this.detailError = null;
    this._changed.emit();
    const server = this.server;
    if (!server || server.status !== 'ready') {
      return;
    }
    await this._guard(async () => {
      this.datasets = await this.api.datasets(server.id);
      const first = this.datasets[0];
      if (first) {
        await this.selectDataset(first.name);
      }
    });
  }

  async selectDataset(name: string): Promise<void> {
    const serverId = this.serverId;
    if (!serverId) {
      return;
    }
    this.dataset = name;
    this.splits = [];
    this.split = null;
    this.page = null;
    this._changed.emit();
    await this._guard(async () => {
      this.splits = await this.api.splits(serverId, name);
      const first = this.splits[0];
      if (first) {
        await this.selectSplit(first.name);
      }
    });
  }

  async selectSplit(name: string): Promise<void> {
    this.split = name;
    await this.showPage(0);
  }

  /** The page of rows starting at `offset` (clamped to the split). */
  async showPage(offset: number): Promise<void> {
    const { serverId, dataset, split } = this;
    if (!serverId || !dataset || !split) {
      return;
    }
    await this._guard(async () => {
      this.page = await this.api.preview(serverId, dataset, split, Math.max(0, offset), PAGE_SIZE);
    });
  }

  /** Register a server by URL; rejects with the server's message. */
  async add(body: CreateDatasetServer): Promise<DescribeDatasetServer> {
    const added = await this.api.add(body);
    await this.refresh();
    await this.selectServer(added.id);
    return added;
  }

  async remove(id: string): Promise<void> {
    try {
      await this.api.remove(id);
      if (this.serverId === id) {
        this.serverId = null;
      }
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
    await this.refresh();
  }

  private async _guard(call: () => Promise<void>): Promise<void> {
    try {
      await call();
      this.detailError = null;
    } catch (e) {
      this.detailError = describeError(e);
    }
    this._changed.emit();
  }

  private _poll: Poll | null = null;
  private _changed = new Signal<this, void>(this);
}
