/**
 * The Jobs section in cluster mode: a chip naming each job's node, a filter
 * (all nodes, or one), and a notice naming the nodes whose jobs could not be
 * read (`nodes` / `unreachable` of `GET /jobs?scope=cluster`). Standalone the
 * section renders none of these.
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { DescribeJob, JobsNode } from '../client/schemas';
import { type ClusterModel } from './model';
import { useCluster } from './shared';

/** The filter's value that shows every node's jobs. */
export const ALL_NODES = '';

/** The node a job runs on, as the cluster names it (a record of this node's may still say `local`). */
export function nodeOf(job: DescribeJob, nodes: readonly JobsNode[]): string {
  if (job.node === 'local') {
    return nodes.find(n => n.is_self)?.node_id ?? job.node;
  }
  return job.node;
}

export function NodeChip(props: {
  job: DescribeJob;
  nodes: readonly JobsNode[];
  cluster: ClusterModel;
  trans: TranslationBundle;
}): JSX.Element {
  const id = nodeOf(props.job, props.nodes);
  const self = props.nodes.find(n => n.is_self)?.node_id === id;
  return (
    <span
      className={`jp-forgather-pill jp-forgather-node-chip${self ? ' jp-forgather-node-chip-self' : ''}`}
      data-node-id={id}
      title={
        self
          ? props.trans.__('On this node (%1)', id)
          : props.trans.__('On node %1: log, metrics and controls come from there', id)
      }
    >
      {props.cluster.nodeLabel(id)}
    </span>
  );
}

/** All nodes, or one: a select named "Node". */
export function NodeFilter(props: {
  value: string;
  onChange: (nodeId: string) => void;
  nodes: readonly JobsNode[];
  cluster: ClusterModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { nodes, cluster, trans } = props;
  return (
    <label className="jp-forgather-node-filter">
      {trans.__('Node')}{' '}
      <select
        className="jp-mod-styled"
        aria-label={trans.__('Node')}
        value={props.value}
        onChange={e => props.onChange(e.currentTarget.value)}
      >
        <option value={ALL_NODES}>{trans.__('All nodes')}</option>
        {nodes.map(n => (
          <option key={n.node_id} value={n.node_id}>
            {cluster.nodeLabel(n.node_id)}
            {n.is_self ? ` (${trans.__('this node')})` : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "Not listed: the jobs of b (unreachable)", or nothing when every node answered. */
export function UnreachableNotice(props: {
  nodes: readonly JobsNode[];
  cluster: ClusterModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const missing = props.nodes.filter(n => n.total === null || n.total === undefined);
  if (missing.length === 0) {
    return null;
  }
  const names = missing
    .map(
      n => `${props.cluster.nodeLabel(n.node_id)} (${n.message ?? props.trans.__('unreachable')})`
    )
    .join(', ');
  return (
    <p className="jp-forgather-banner jp-forgather-jobs-unreachable" role="status">
      {props.trans._n(
        'Not listed: the jobs of %2',
        'Not listed: the jobs of %2',
        missing.length,
        names
      )}
    </p>
  );
}

/** " · on gpu-box-2" in a job view's header for a peer's job; nothing for this node's. */
export function PeerNote(props: {
  job: DescribeJob;
  nodes: readonly JobsNode[] | null;
  trans: TranslationBundle;
}): JSX.Element | null {
  const cluster = useCluster();
  if (!cluster || !props.nodes) {
    return null;
  }
  const id = nodeOf(props.job, props.nodes);
  if (props.nodes.find(n => n.is_self)?.node_id === id) {
    return null;
  }
  return (
    <span className="jp-forgather-peer-note" data-node-id={id}>
      {' · '}
      {props.trans.__('on %1', cluster.nodeLabel(id))}
    </span>
  );
}
