/**
 * The GPUs section of the sidebar: one card per GPU; click a card to disable
 * or enable it. Each card lists the jobs on it (several when they share it
 * by declaring `gpu_memory`) and the memory they declared next to what the
 * card reports in use.
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import type { DescribeGpu, DescribeJob } from '../client/schemas';
import { PeerGpuGroups, ThisNodeHeading } from '../cluster/peerGpus';
import { CommandIDs } from '../commands';
import { openCommandMenu } from '../jobs/components';
import { type JobsModel } from '../jobs/model';
import { usePoolAdmin } from '../pool';
import { type GpusModel, declaredBytes, jobsOnGpu } from './model';

export function gpuMenuItems(
  gpu: DescribeGpu
): { command: string; args?: Record<string, unknown> }[] {
  const args = { index: gpu.index };
  return [
    { command: CommandIDs.gpuToggle, args },
    { command: CommandIDs.gpuMinPriority, args },
    { command: '-' },
    { command: CommandIDs.gpuKill, args }
  ];
}

function mib(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function Meter(props: { label: string; value: number; text: string }): JSX.Element {
  const pct = Math.max(0, Math.min(100, props.value));
  const level = pct >= 90 ? 'high' : pct >= 60 ? 'mid' : 'low';
  return (
    <div className="jp-forgather-meter-row">
      <span className="jp-forgather-meter-label">{props.label}</span>
      <div
        className={`jp-forgather-meter jp-forgather-meter-${level}`}
        role="meter"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
      <span className="jp-forgather-meter-text">{props.text}</span>
    </div>
  );
}

function GpuCard(props: {
  gpu: DescribeGpu;
  jobs: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { gpu, jobs, commands, trans } = props;
  const util = gpu.utilization ?? 0;
  const mem = gpu.memory_total > 0 ? (100 * gpu.memory_used) / gpu.memory_total : 0;
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
  const title = trans.__('GPU %1', gpu.index);
  const toggle = gpu.disabled ? trans.__('enable') : trans.__('disable');
  const jobName = (id: string) => jobs.job(id)?.name ?? id;
  const onCard: DescribeJob[] = jobsOnGpu(gpu, jobs.jobs);
  const declared = declaredBytes(onCard);
  const shared = onCard.some(j => j.gpu_memory);
  const admin = usePoolAdmin();
  return (
    <li
      className={`jp-forgather-gpu${gpu.disabled || gpu.excluded ? ' jp-forgather-gpu-off' : ''}`}
      data-gpu-index={gpu.index}
      data-disabled={gpu.disabled}
    >
      <button
        className="jp-forgather-gpu-toggle"
        aria-label={`${title}: ${toggle}`}
        aria-pressed={gpu.disabled}
        disabled={gpu.excluded || !admin}
        title={
          gpu.excluded
            ? trans.__('Excluded at server start (CUDA_VISIBLE_DEVICES)')
            : admin
              ? trans.__('Click to %1', toggle)
              : trans.__("Only the pool's admins change a GPU's policy")
        }
        onClick={() => void commands.execute(CommandIDs.gpuToggle, { index: gpu.index })}
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
        <Meter
          label={trans.__('Utilisation')}
          value={util}
          text={gpu.utilization === null ? '–' : `${util}%`}
        />
        <Meter
          label={trans.__('Memory')}
          value={mem}
          text={`${mib(gpu.memory_used)} / ${mib(gpu.memory_total)}`}
        />
        {shared && (
          <Meter
            label={trans.__('Declared')}
            value={gpu.memory_total > 0 ? (100 * declared) / gpu.memory_total : 0}
            text={`${mib(declared)} / ${mib(gpu.memory_total)}`}
          />
        )}
        <span className="jp-forgather-muted">
          {gpu.temperature !== null && `${gpu.temperature} °C`}
          {gpu.power !== null && ` · ${Math.round(gpu.power)} W`}
        </span>
      </button>
      <button
        className="jp-forgather-icon-button jp-forgather-gpu-actions"
        aria-label={trans.__('Actions for GPU %1', gpu.index)}
        aria-haspopup="menu"
        onClick={e => openCommandMenu(commands, gpuMenuItems(gpu), e.currentTarget)}
      >
        ⋯
      </button>
      {onCard.length > 0 && (
        <ul className="jp-forgather-gpu-jobs" aria-label={trans.__('Jobs on GPU %1', gpu.index)}>
          {onCard.map(job => (
            <li key={job.id} data-job-id={job.id}>
              <button
                className="jp-forgather-link-button"
                onClick={() => void commands.execute(CommandIDs.openJob, { jobId: job.id })}
              >
                {job.name}
              </button>{' '}
              <span className="jp-forgather-muted">
                {job.gpu_memory
                  ? trans.__('%1 declared', mib(job.gpu_memory * 1024 ** 2))
                  : trans.__('whole card')}
              </span>
            </li>
          ))}
        </ul>
      )}
      {gpu.processes.length > 0 && (
        <ul
          className="jp-forgather-gpu-procs"
          aria-label={trans.__('Processes on GPU %1', gpu.index)}
        >
          {gpu.processes.map(p => (
            <li key={p.pid}>
              <span className="jp-forgather-mono">pid {p.pid}</span>
              {' → '}
              {p.job_id ? (
                <button
                  className="jp-forgather-link-button"
                  onClick={() => void commands.execute(CommandIDs.openJob, { jobId: p.job_id })}
                >
                  {jobName(p.job_id)}
                </button>
              ) : (
                <span className="jp-forgather-muted">{trans.__('not a Forgather job')}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function GpusSection(props: {
  model: GpusModel;
  jobs: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  return (
    <section className="jp-forgather-section" aria-label={trans.__('GPUs')}>
      <header className="jp-forgather-section-header">
        <h3>{trans.__('GPUs')}</h3>
        {model.simulated && <span className="jp-forgather-muted">{trans.__('simulated')}</span>}
      </header>
      {model.error && (
        <p className="jp-forgather-error" role="alert">
          {model.error}
        </p>
      )}
      <ThisNodeHeading trans={trans} />
      {model.gpus.length === 0 ? (
        <p className="jp-forgather-muted">
          {model.loaded ? trans.__('No GPUs.') : trans.__('Loading…')}
        </p>
      ) : (
        <ul className="jp-forgather-gpus" aria-label={trans.__('GPU list')}>
          {model.gpus.map(gpu => (
            <GpuCard
              key={gpu.index}
              gpu={gpu}
              jobs={props.jobs}
              commands={props.commands}
              trans={trans}
            />
          ))}
        </ul>
      )}
      <PeerGpuGroups trans={trans} />
    </section>
  );
}
