/** Pieces the Cluster section and the grouped GPUs section share. */
import { type TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { ProbeVersions } from './api';
import { type INodeHealth } from './health';

export const VERSION_LABELS: Record<keyof ProbeVersions, string> = {
  forgather_lab: 'forgather_lab',
  python: 'python',
  platform: 'platform',
  torch: 'torch',
  cuda: 'cuda',
  nccl: 'nccl',
  transformers: 'transformers'
};

/** "12 s ago", "3 min ago", … from epoch seconds. */
export function ago(epoch: number, trans: TranslationBundle): string {
  const s = Math.max(0, Math.round(Date.now() / 1000 - epoch));
  if (s < 90) {
    return trans.__('%1 s ago', s);
  }
  if (s < 5400) {
    return trans.__('%1 min ago', Math.round(s / 60));
  }
  return trans.__('%1 h ago', Math.round(s / 3600));
}

function healthText(health: INodeHealth, trans: TranslationBundle): string {
  switch (health.level) {
    case 'ok':
      return trans.__('Healthy: reachable, versions agree with the cluster');
    case 'diverging':
      return trans.__(
        'Versions differ from the cluster majority: %1',
        health.diverging.map(k => VERSION_LABELS[k]).join(', ')
      );
    default:
      return trans.__('Unreachable');
  }
}

export function HealthDot(props: { health: INodeHealth; trans: TranslationBundle }): JSX.Element {
  const text = healthText(props.health, props.trans);
  return (
    <span
      className={`jp-forgather-cluster-dot jp-forgather-cluster-dot-${props.health.level}`}
      role="img"
      aria-label={text}
      title={text}
      data-health={props.health.level}
    />
  );
}
