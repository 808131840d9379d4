/**
 * The Cluster section of the sidebar, shown only in cluster mode: every
 * node with its health dot, versions, interfaces, CPUs and memory, GPU
 * counts (the cards themselves are in the GPUs section, by node), a link to its own JupyterLab, and the network probe's figures.
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import '../../style/cluster.css';
import type { DescribeMember, PeerNetwork } from './api';
import { CHIPS, type INodeHealth, majority, nodeHealth } from './health';
import { type ClusterModel } from './model';
import { HealthDot, VERSION_LABELS, ago } from './parts';

function Chips(props: {
  member: DescribeMember;
  health: INodeHealth;
  trans: TranslationBundle;
}): JSX.Element {
  const versions = props.member.probe?.versions;
  // The headline chips, then any other version that diverges (so yellow says why).
  const keys = [...CHIPS, ...props.health.diverging.filter(k => !CHIPS.includes(k))];
  return (
    <span className="jp-forgather-cluster-chips" aria-label={props.trans.__('Versions')}>
      {keys.map(key => {
        const value = versions?.[key] ?? null;
        const off = props.health.diverging.includes(key);
        return (
          <span
            key={key}
            className={`jp-forgather-cluster-chip${off ? ' jp-forgather-cluster-chip-off' : ''}`}
            data-version={key}
            title={
              off
                ? props.trans.__('%1 differs from the cluster majority', VERSION_LABELS[key])
                : VERSION_LABELS[key]
            }
          >
            {VERSION_LABELS[key]} {value ?? props.trans.__('none')}
          </span>
        );
      })}
    </span>
  );
}

function NodeCard(props: {
  member: DescribeMember;
  health: INodeHealth;
  trans: TranslationBundle;
}): JSX.Element {
  const { member, health, trans } = props;
  const probe = member.probe;
  const facts: string[] = [];
  if (probe?.cpus) {
    facts.push(trans.__('%1 CPUs', probe.cpus));
  }
  if (probe?.memory_gb) {
    facts.push(trans.__('%1 GiB', probe.memory_gb.toFixed(1)));
  }
  facts.push(trans.__('%1 GPUs · %2 idle', member.gpus?.total ?? 0, member.gpus?.idle ?? 0));
  return (
    <li
      className="jp-forgather-cluster-node"
      data-node-id={member.node_id}
      data-health={health.level}
      aria-label={trans.__('Node %1', member.hostname)}
    >
      <div className="jp-forgather-cluster-node-header">
        <HealthDot health={health} trans={trans} />
        <strong className="jp-forgather-cluster-host">{member.hostname}</strong>
        <span className="jp-forgather-muted jp-forgather-mono" title={member.node_id}>
          {member.node_id.slice(0, 8)}
        </span>
        {member.is_self && (
          <span className="jp-forgather-pill jp-forgather-tag" data-marker="self">
            {trans.__('self')}
          </span>
        )}
        {member.is_master && (
          <span className="jp-forgather-pill jp-forgather-tag" data-marker="master">
            {trans.__('master')}
          </span>
        )}
        {!member.is_self && member.url && (
          <a
            className="jp-forgather-cluster-open"
            href={`${member.url.replace(/\/?$/, '/')}lab`}
            target="_blank"
            rel="noopener noreferrer"
            title={trans.__('Open JupyterLab on %1 (log in there)', member.hostname)}
          >
            {trans.__('Open Lab ↗')}
          </a>
        )}
      </div>
      {!member.reachable && (
        <p className="jp-forgather-cluster-lastseen">
          {member.last_seen
            ? trans.__('Unreachable, last seen %1', ago(member.last_seen, trans))
            : trans.__('Unreachable, never answered')}
        </p>
      )}
      <Chips member={member} health={health} trans={trans} />
      <p className="jp-forgather-cluster-facts">
        <span className="jp-forgather-mono">
          {member.addresses.join(', ')}:{member.port}
        </span>{' '}
        · {facts.join(' · ')}
      </p>
      {probe && probe.interfaces.length > 0 && (
        <details className="jp-forgather-cluster-more">
          <summary>{trans.__('Interfaces (%1)', probe.interfaces.length)}</summary>
          <ul className="jp-forgather-cluster-ifaces">
            {probe.interfaces.map(i => (
              <li key={`${i.name}-${i.address}`} className="jp-forgather-mono">
                {i.name} {i.address}
                {i.netmask ? `/${i.netmask}` : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

function NetworkRow(props: { peer: PeerNetwork; trans: TranslationBundle }): JSX.Element {
  const { peer, trans } = props;
  const lat = peer.latency;
  const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);
  return (
    <tr data-node-id={peer.node_id}>
      <td title={peer.address ?? peer.node_id}>
        {peer.hostname}{' '}
        <span className="jp-forgather-muted jp-forgather-mono">{peer.node_id.slice(0, 8)}</span>
      </td>
      <td
        data-column="latency"
        title={
          lat
            ? trans.__(
                'min %1 / median %2 / max %3 ms over %4 round trips',
                ms(lat.min_ms),
                ms(lat.median_ms),
                ms(lat.max_ms),
                lat.samples
              )
            : undefined
        }
      >
        {lat ? trans.__('%1 ms', ms(lat.median_ms)) : '–'}
      </td>
      <td data-column="bandwidth">
        {peer.bandwidth_mbps !== null && peer.bandwidth_mbps !== undefined
          ? trans.__('%1 Mbit/s', Math.round(peer.bandwidth_mbps))
          : (peer.message ?? '–')}
      </td>
    </tr>
  );
}

function Network(props: { model: ClusterModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  const peers = model.network?.peers ?? [];
  const at = model.network?.refreshed_at;
  return (
    <div className="jp-forgather-cluster-network" aria-label={trans.__('Network')}>
      <div className="jp-forgather-cluster-network-header">
        <strong>{trans.__('Network')}</strong>
        <button
          className="jp-forgather-link-button"
          disabled={model.measuring}
          onClick={() => void model.measureNetwork()}
          title={trans.__('Measure latency and bandwidth to every reachable peer, one at a time')}
        >
          {trans.__('Measure network')}
        </button>
      </div>
      <p className="jp-forgather-muted jp-forgather-cluster-network-status" aria-live="polite">
        {model.measuring
          ? trans.__('Measuring, one peer at a time…')
          : at
            ? trans.__('Measured %1', ago(at, trans))
            : trans.__('Not measured yet')}
      </p>
      {model.networkError && (
        <p className="jp-forgather-error" role="alert">
          {model.networkError}
        </p>
      )}
      {at && peers.length === 0 && (
        <p className="jp-forgather-muted">{trans.__('No peers to measure.')}</p>
      )}
      {peers.length > 0 && (
        <table className="jp-forgather-cluster-network-table">
          <thead>
            <tr>
              <th>{trans.__('Peer')}</th>
              <th title={trans.__('median round trip; hover a figure for min and max')}>
                {trans.__('Latency')}
              </th>
              <th>{trans.__('Bandwidth')}</th>
            </tr>
          </thead>
          <tbody>
            {peers.map(p => (
              <NetworkRow key={p.node_id} peer={p} trans={trans} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ClusterSection(props: {
  model: ClusterModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans } = props;
  const cluster = model.cluster;
  if (!cluster?.enabled) {
    return null;
  }
  const agreed = majority(cluster.members, cluster.master);
  const reachable = cluster.members.filter(m => m.reachable).length;
  return (
    <section className="jp-forgather-section jp-forgather-cluster" aria-label={trans.__('Cluster')}>
      <header className="jp-forgather-section-header">
        <h3>{trans.__('Cluster')}</h3>
        <button
          className="jp-forgather-link-button"
          onClick={() => void model.refresh()}
          title={trans.__('Ask for the members again')}
        >
          {trans.__('Refresh')}
        </button>
      </header>
      <p className="jp-forgather-muted jp-forgather-cluster-summary">
        {trans.__(
          '%1 · %2 of %3 nodes reachable',
          cluster.name ?? '',
          reachable,
          cluster.members.length
        )}
      </p>
      {(model.error || cluster.message) && (
        <p className="jp-forgather-error" role="alert">
          {model.error ?? cluster.message}
        </p>
      )}
      <ul className="jp-forgather-cluster-nodes" aria-label={trans.__('Cluster nodes')}>
        {cluster.members.map(m => (
          <NodeCard key={m.node_id} member={m} health={nodeHealth(m, agreed)} trans={trans} />
        ))}
      </ul>
      <Network model={model} trans={trans} />
    </section>
  );
}
