/**
 * Dataset servers: the registry (handlers/datasets.py, models/datasets.py)
 * and, through its same-origin proxy, what a server answers. A server's own
 * replies are plain JSON the job side writes (docs/datasets.md), typed here
 * by hand: they are not in the OpenAPI document, which sees one proxy route.
 */
import { type ForgatherClient, ForgatherApiError, describeError } from '../client';
import { errorOf, pathOf } from '../client/core';
import type { Schemas } from '../client/schemas';

export type DescribeDatasetServer = Schemas['DescribeDatasetServer'];
export type CreateDatasetServer = Schemas['CreateDatasetServer'];

/** `GET /datasets` of a server: one entry per dataset. */
export interface IDatasetInfo {
  name: string;
  format: string;
  splits: string[];
}

/** `GET /splits?dataset=`. */
export interface ISplitInfo {
  name: string;
  num_rows: number;
}

/** `GET /preview?dataset=&split=&offset=&limit=`. */
export interface IPreviewPage {
  dataset: string;
  split: string;
  offset: number;
  limit: number;
  num_rows: number;
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

export class DatasetsApi {
  constructor(private readonly _client: ForgatherClient) {}

  /** Every registered server, probed now. */
  async servers(): Promise<DescribeDatasetServer[]> {
    return (await this._client.api.get('dataset-servers')).servers;
  }

  add(body: CreateDatasetServer): Promise<DescribeDatasetServer> {
    return this._client.api.post('dataset-servers', { body });
  }

  async remove(id: string): Promise<void> {
    await this._client.api.delete('dataset-servers/{server_id}', { path: { server_id: id } });
  }

  async datasets(serverId: string): Promise<IDatasetInfo[]> {
    const reply = await this._proxied<{ datasets: IDatasetInfo[] }>(serverId, 'datasets', {});
    return reply.datasets;
  }

  async splits(serverId: string, dataset: string): Promise<ISplitInfo[]> {
    const reply = await this._proxied<{ splits: ISplitInfo[] }>(serverId, 'splits', { dataset });
    return reply.splits;
  }

  preview(
    serverId: string,
    dataset: string,
    split: string,
    offset: number,
    limit: number
  ): Promise<IPreviewPage> {
    return this._proxied<IPreviewPage>(serverId, 'preview', { dataset, split, offset, limit });
  }

  /** GET `<server>/<endpoint>?query` through `/dataset-servers/{id}/proxy/`. */
  private async _proxied<T>(
    serverId: string,
    endpoint: string,
    query: Record<string, unknown>
  ): Promise<T> {
    const path = pathOf(
      'dataset-servers/{server_id}/proxy/{path}',
      { server_id: serverId, path: endpoint },
      query
    );
    let response: Response;
    try {
      response = await this._client.transport.fetch(path, { method: 'GET', cache: 'no-cache' });
    } catch (error) {
      throw new ForgatherApiError(0, `Cannot reach the Jupyter server: ${describeError(error)}`);
    }
    const text = await response.text();
    let data: unknown = text;
    try {
      data = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      // not JSON: errorOf shows a short text as it is
    }
    if (!response.ok) {
      throw errorOf(response.status, response.statusText, data);
    }
    return data as T;
  }
}
