/**
 * The GPUs section in cluster mode: this node's cards under its own heading,
 * then every peer's, grouped by node (`GET /cluster/gpus`). A click on a
 * peer's card disables or enables it there
 * (`POST /cluster/nodes/{node_id}/gpus/{index}/policy`).
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { describeError } from '../client/core';
import type { ClusterGpu, DescribeMember } from './api';
import { majority, nodeHealth } from './health';
import { type ClusterModel } from './model';
import { HealthDot, ago } from './parts';
import { useCluster } from './shared';

function mib(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function PeerGpu(props: {
  member: DescribeMember;
  gpu: ClusterGpu;
  model: ClusterModel;
  onError: (message: string | null) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { member, gpu, trans } = props;
  const title = trans.__('GPU %1', gpu.index);
  const action = gpu.disabled ? trans.__('enable') : trans.__('disable');
  const tags: string[] = [];
  if (gpu.excluded) {
    tags.push(trans.__('excluded'));
  }
  if (gpu.disabled) {
    tags.push(trans.__('disabled'));
  }
  if (gpu.min_priority > 0) {
    tags.push(trans.__('priority ≥ %1', gpu.min_priority));
  }
  if (gpu.reserved_by) {
    tags.push(trans.__('in use'));
  }
  const toggle = () =>
    props.model
      .setPolicy(member.node_id, gpu.index, { disabled: !gpu.disabled })
      .then(() => props.onError(null))
      .catch((error: unknown) =>
        props.onError(trans.__('%1, GPU %2: %3', member.hostname, gpu.index, describeError(error)))
      );
  return (
    <li
      className={`jp-forgather-gpu${gpu.disabled || gpu.excluded ? ' jp-forgather-gpu-off' : ''}`}
      data-peer-gpu-index={gpu.index}
      data-disabled={gpu.disabled}
    >
      <button
        className="jp-forgather-gpu-toggle"
        aria-label={`${member.hostname} ${title}: ${action}`}
        aria-pressed={gpu.disabled}
        disabled={gpu.excluded}
        title={trans.__('Click to %1 on %2', action, member.hostname)}
        onClick={() => void toggle()}
      >
        <span className="jp-forgather-gpu-title">
          <strong>{title}</strong> <span className="jp-forgather-muted">{gpu.name}</span>
        </span>
        <span className="jp-forgather-gpu-tags">
          {tags.map(t => (
            <span key={t} className="jp-forgather-pill jp-forgather-tag">
              {t}
            </span>
          ))}
        </span>
        <span className="jp-forgather-muted">
          {trans.__(
            'Utilisation %1 · %2 / %3',
            gpu.utilization === null ? '–' : `${gpu.utilization}%`,
            mib(gpu.memory_used),
            mib(gpu.memory_total)
          )}
        </span>
      </button>
    </li>
  );
}

/** "This node" over the local cards; nothing standalone. */
export function ThisNodeHeading(props: { trans: TranslationBundle }): JSX.Element | null {
  const model = useCluster();
  const me = model?.cluster?.members.find(m => m.is_self);
  if (!me) {
    return null;
  }
  return (
    <h4 className="jp-forgather-cluster-group" data-node-id={me.node_id}>
      {props.trans.__('This node · %1', me.hostname)}
    </h4>
  );
}

/** Every peer's cards, grouped by node; nothing standalone. */
export function PeerGpuGroups(props: { trans: TranslationBundle }): JSX.Element | null {
  const { trans } = props;
  const model = useCluster();
  const [error, setError] = React.useState<string | null>(null);
  const cluster = model?.cluster;
  if (!model || !cluster) {
    return null;
  }
  const agreed = majority(cluster.members, cluster.master);
  const peers = cluster.members.filter(m => !m.is_self);
  return (
    <div className="jp-forgather-cluster-peer-gpus" aria-label={trans.__('Peers’ GPUs')}>
      {error && (
        <p className="jp-forgather-error" role="alert">
          {error}
        </p>
      )}
      {peers.map(member => {
        const gpus = model.gpusOf(member.node_id);
        const message = model.gpuMessage(member.node_id);
        return (
          <div
            key={member.node_id}
            data-node-id={member.node_id}
            role="group"
            aria-label={member.hostname}
          >
            <h4 className="jp-forgather-cluster-group">
              <HealthDot health={nodeHealth(member, agreed)} trans={trans} />
              {member.hostname}{' '}
              <span className="jp-forgather-muted">
                {trans.__('%1 GPUs · %2 idle', member.gpus?.total ?? 0, member.gpus?.idle ?? 0)}
              </span>
            </h4>
            {!member.reachable ? (
              <p className="jp-forgather-muted">
                {member.last_seen
                  ? trans.__('Unreachable, last seen %1', ago(member.last_seen, trans))
                  : trans.__('Unreachable, never answered')}
              </p>
            ) : message ? (
              <p className="jp-forgather-muted">{message}</p>
            ) : gpus.length === 0 ? (
              <p className="jp-forgather-muted">{trans.__('No GPUs.')}</p>
            ) : (
              <ul
                className="jp-forgather-gpus"
                aria-label={trans.__('GPUs of %1', member.hostname)}
              >
                {gpus.map(gpu => (
                  <PeerGpu
                    key={gpu.index}
                    member={member}
                    gpu={gpu}
                    model={model}
                    onError={setError}
                    trans={trans}
                  />
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </div>
  );
}
