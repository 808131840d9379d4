/** Small pieces shared by the Jobs and Queue sections and the job view. */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import { Menu } from '@lumino/widgets';
import * as React from 'react';

import type { DescribeJob } from '../client/schemas';
import type { JobProgress } from './model';

/** Translated status names (one place, so pills and notifications agree). */
export function statusLabel(trans: TranslationBundle, status: string): string {
  const labels: Record<string, string> = {
    queued: trans.__('queued'),
    starting: trans.__('starting'),
    running: trans.__('running'),
    done: trans.__('done'),
    failed: trans.__('failed'),
    aborted: trans.__('aborted'),
    cancelled: trans.__('cancelled')
  };
  return labels[status] ?? status;
}

/** Control buttons: [action, label]. */
export function controlLabels(trans: TranslationBundle): [string, string][] {
  return [
    ['save', trans.__('Save checkpoint')],
    ['stop', trans.__('Stop')],
    ['save-stop', trans.__('Save and stop')],
    ['abort', trans.__('Abort')],
    ['kill', trans.__('Kill')],
    ['force-kill', trans.__('Force kill')]
  ];
}

export function StatusPill(props: { status: string; trans: TranslationBundle }): JSX.Element {
  return (
    <span
      className={`jp-forgather-pill jp-forgather-status jp-forgather-status-${props.status}`}
      data-status={props.status}
    >
      {statusLabel(props.trans, props.status)}
    </span>
  );
}

/** A progress bar with its percent (indeterminate while unknown). */
export function ProgressBar(props: { progress?: JobProgress; label: string }): JSX.Element | null {
  const value = props.progress?.progress;
  const known = typeof value === 'number' && isFinite(value);
  const pct = known ? Math.max(0, Math.min(100, value)) : 0;
  const p = props.progress;
  const parts: string[] = [];
  if (p?.step !== null && p?.step !== undefined) {
    parts.push(p.max_steps ? `${p.step}/${p.max_steps}` : `step ${p.step}`);
  }
  if (typeof p?.loss === 'number') {
    parts.push(`loss ${p.loss.toPrecision(3)}`);
  }
  if (!parts.length && (p?.stage || p?.last_log)) {
    parts.push(p.stage ?? p.last_log ?? '');
  }
  const detail = parts.join(' · ');
  return (
    <div className="jp-forgather-progress-row">
      <div
        className={`jp-forgather-progress${known ? '' : ' jp-forgather-progress-unknown'}`}
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={known ? Math.round(pct) : undefined}
      >
        <div className="jp-forgather-progress-fill" style={{ width: `${known ? pct : 100}%` }} />
      </div>
      <span className="jp-forgather-progress-text" title={props.progress?.last_log ?? ''}>
        {known ? `${Math.round(pct)}%` : ''} {detail}
      </span>
    </div>
  );
}

/** "3 s", "4 min", "2 h" since a Unix time. */
export function ago(seconds: number | null | undefined): string {
  if (!seconds) {
    return '';
  }
  const d = Math.max(0, Date.now() / 1000 - seconds);
  if (d < 60) {
    return `${Math.round(d)} s`;
  }
  if (d < 3600) {
    return `${Math.round(d / 60)} min`;
  }
  if (d < 86400) {
    return `${Math.round(d / 3600)} h`;
  }
  return `${Math.round(d / 86400)} d`;
}

/** The engines' names as people write them (``DescribeJob.executor``). */
const ENGINES: Record<string, string> = { slurm: 'Slurm', ray: 'Ray' };

/** Where an engine runs the job: its node, or null (local, or not placed yet). */
export function engineNode(job: DescribeJob): string | null {
  if ((job.executor ?? 'local') === 'local' || !job.node || job.node === 'local') {
    return null;
  }
  return job.node;
}

/**
 * "Slurm job 1234 on node-a" for a job an engine runs (without the node when
 * `withNode` is false: a line that names it already); null for a local job.
 */
export function engineText(
  trans: TranslationBundle,
  job: DescribeJob,
  withNode = true
): string | null {
  const executor = job.executor ?? 'local';
  if (executor === 'local') {
    return null;
  }
  const engine = ENGINES[executor] ?? executor;
  const node = withNode ? engineNode(job) : null;
  if (job.external_id) {
    return node
      ? trans.__('%1 job %2 on %3', engine, job.external_id, node)
      : trans.__('%1 job %2', engine, job.external_id);
  }
  return node ? trans.__('%1, on %2', engine, node) : engine;
}

/** Who submitted the job ("alice"), or "unknown" for a job from before owners were kept. */
export function ownerText(trans: TranslationBundle, job: DescribeJob): string {
  return job.owner ?? trans.__('unknown');
}

/** "GPUs 0,1", "2 GPUs", "no GPU"; with the node where an engine runs the job. */
export function gpuText(trans: TranslationBundle, job: DescribeJob): string {
  let text: string;
  if (job.gpus.length > 0) {
    text = trans._n('GPU %2', 'GPUs %2', job.gpus.length, job.gpus.join(','));
  } else {
    text =
      job.requested_gpus > 0
        ? trans._n('%1 GPU', '%1 GPUs', job.requested_gpus)
        : trans.__('no GPU');
  }
  const node = engineNode(job);
  return node ? trans.__('%1 on %2', text, node) : text;
}

/**
 * Open a menu of commands (with their args) under a button: the keyboard
 * path to what the context menu offers.
 */
export function openCommandMenu(
  commands: CommandRegistry,
  items: { command: string; args?: Record<string, unknown> }[],
  anchor: HTMLElement
): void {
  const menu = new Menu({ commands });
  menu.addClass('jp-forgather-menu');
  for (const item of items) {
    if (item.command === '-') {
      menu.addItem({ type: 'separator' });
    } else {
      menu.addItem({ command: item.command, args: item.args as never });
    }
  }
  const rect = anchor.getBoundingClientRect();
  menu.aboutToClose.connect(() => {
    setTimeout(() => menu.dispose(), 0);
    anchor.focus();
  });
  menu.open(rect.left, rect.bottom);
  menu.activeIndex = 0;
}
