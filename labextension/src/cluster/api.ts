/** Cluster mode (`/cluster…`; handlers/cluster.py): members, every node's GPUs, the network. */
import type { ApiClient, Schemas } from '../client/core';

export type DescribeCluster = Schemas['DescribeCluster'];
export type DescribeMember = Schemas['DescribeMember'];
export type ProbeVersions = Schemas['ProbeVersions'];
export type ListClusterGpus = Schemas['ListClusterGpus'];
export type ClusterGpu = Schemas['ClusterGpu'];
export type ClusterGpuNode = Schemas['ClusterGpuNode'];
export type DescribeNetwork = Schemas['DescribeNetwork'];
export type PeerNetwork = Schemas['PeerNetwork'];
export type UpdateGpuPolicy = Schemas['UpdateGpuPolicy'];

export class ClusterApi {
  constructor(private readonly _api: ApiClient) {}

  /** This node's cluster; standalone, `enabled` is false and this node is alone. */
  get(): Promise<DescribeCluster> {
    return this._api.get('cluster');
  }

  gpus(): Promise<ListClusterGpus> {
    return this._api.get('cluster/gpus');
  }

  /** The last network probe (cached by the server until the next refresh). */
  network(): Promise<DescribeNetwork> {
    return this._api.get('cluster/network');
  }

  /** Measure every reachable peer, one after the other (takes seconds per peer). */
  measureNetwork(): Promise<DescribeNetwork> {
    return this._api.post('cluster/network/refresh');
  }

  /** Change a GPU's policy on any node (a peer's is forwarded over mTLS). */
  async setPolicy(nodeId: string, index: number, policy: UpdateGpuPolicy): Promise<void> {
    await this._api.post('cluster/nodes/{node_id}/gpus/{index}/policy', {
      path: { node_id: nodeId, index },
      body: policy
    });
  }
}
