/**
 * The scheduling side of a job in its view: where it waits and why, its
 * attempt, time limit (and time left while it runs), declared GPU memory,
 * dependencies, group, preemption and retries; and its history, every
 * transition with its time and reason (`GET /jobs/{id}/history`).
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import type { IJobHistory } from '../client/jobs';
import type { DescribeJob } from '../client/schemas';
import { CommandIDs } from '../commands';
import { StatusPill, engineText, ownerText } from './components';

/** "45 s", "12 min", "2 h 5 min", "3 d 4 h": a duration for people. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return s % 60 && m < 10 ? `${m} min ${s % 60} s` : `${m} min`;
  }
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** MiB as people read them: "512 MiB", "8 GiB", "7.5 GiB". */
export function mebibytes(mib: number): string {
  if (mib < 1024) {
    return `${mib} MiB`;
  }
  const gib = mib / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

/** Seconds a running job has left of its time limit (null: no limit, or not running). */
export function timeLeft(job: DescribeJob, now = Date.now() / 1000): number | null {
  if (!job.time_limit || !job.started_at || job.status !== 'running') {
    return null;
  }
  return Math.max(0, job.started_at + job.time_limit - now);
}

/** Re-render every `ms` while `on` (a countdown). */
function useTick(on: boolean, ms: number): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!on) {
      return;
    }
    const id = setInterval(() => setTick(t => t + 1), ms);
    return () => clearInterval(id);
  }, [on, ms]);
}

function JobLink(props: {
  id: string;
  job: DescribeJob | undefined;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { id, job, commands, trans } = props;
  return (
    <span className="jp-forgather-dependency">
      <button
        className="jp-forgather-link-button jp-forgather-mono"
        title={trans.__('Open job %1', id)}
        onClick={() => void commands.execute(CommandIDs.openJob, { jobId: id })}
      >
        {job ? `${job.name} (${id})` : id}
      </button>
      {job && <StatusPill status={job.status} trans={trans} />}
    </span>
  );
}

export function JobDetails(props: {
  job: DescribeJob;
  /** Look up another job (a dependency) the model knows. */
  lookup: (id: string) => DescribeJob | undefined;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, lookup, commands, trans } = props;
  const attempt = job.attempt ?? 1;
  const retries = job.max_retries ?? 0;
  const deps = job.depends_on ?? [];
  const left = timeLeft(job);
  useTick(left !== null, 1000);
  const rows: [string, React.ReactNode][] = [];
  rows.push([
    trans.__('Owner'),
    <span className="jp-forgather-owner">{ownerText(trans, job)}</span>
  ]);
  if (job.status === 'queued' && job.position !== null && job.position !== undefined) {
    rows.push([trans.__('Place in queue'), String(job.position)]);
  }
  // Starting: handed to an engine that holds it in its own queue, for its reason.
  if ((job.status === 'queued' || job.status === 'starting') && job.pending_reason) {
    rows.push([
      trans.__('Waiting because'),
      <span className="jp-forgather-pending-reason">{job.pending_reason}</span>
    ]);
  }
  const engine = engineText(trans, job);
  if (engine !== null) {
    rows.push([
      trans.__('Runs on'),
      <span className="jp-forgather-engine" data-executor={job.executor}>
        {engine}
      </span>
    ]);
  }
  rows.push([
    trans.__('Attempt'),
    retries > 0 ? trans.__('%1 (retries up to %2)', attempt, retries) : String(attempt)
  ]);
  if (job.time_limit) {
    rows.push([
      trans.__('Time limit'),
      left !== null
        ? trans.__('%1 (%2 left)', duration(job.time_limit), duration(left))
        : duration(job.time_limit)
    ]);
  }
  if (job.gpu_memory || job.requested_gpus > 0) {
    rows.push([
      trans.__('GPU memory'),
      job.gpu_memory
        ? trans.__('%1 per GPU (declared; shares cards)', mebibytes(job.gpu_memory))
        : trans.__('whole cards')
    ]);
  }
  if (deps.length > 0) {
    rows.push([
      trans.__('Depends on'),
      <span className="jp-forgather-dependencies">
        {deps.map(id => (
          <JobLink key={id} id={id} job={lookup(id)} commands={commands} trans={trans} />
        ))}
      </span>
    ]);
  }
  if (job.group) {
    rows.push([
      trans.__('Group'),
      <span className="jp-forgather-pill jp-forgather-tag jp-forgather-group">{job.group}</span>
    ]);
  }
  rows.push([trans.__('Preemptible'), job.preemptible ? trans.__('yes') : trans.__('no')]);
  if (job.rerun_of) {
    rows.push([
      trans.__('Re-run of'),
      <JobLink id={job.rerun_of} job={lookup(job.rerun_of)} commands={commands} trans={trans} />
    ]);
  }
  return (
    <dl className="jp-forgather-job-details" aria-label={trans.__('Scheduling')}>
      {rows.map(([key, value]) => (
        <React.Fragment key={key}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

function clock(at: number): string {
  const d = new Date(at * 1000);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

export function JobHistoryTable(props: {
  history: IJobHistory | null;
  error: string | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { history, error, trans } = props;
  return (
    <details className="jp-forgather-history" open>
      <summary>{trans.__('History')}</summary>
      {error && <p className="jp-forgather-muted">{error}</p>}
      {!error && !history && <p className="jp-forgather-muted">{trans.__('Loading…')}</p>}
      {history && (
        <table className="jp-forgather-history-table" aria-label={trans.__('Job history')}>
          <thead>
            <tr>
              <th scope="col">{trans.__('When')}</th>
              <th scope="col">{trans.__('Status')}</th>
              <th scope="col">{trans.__('Attempt')}</th>
              <th scope="col">{trans.__('Reason')}</th>
            </tr>
          </thead>
          <tbody>
            {history.transitions.map((t, i) => (
              <tr key={i} data-status={t.status}>
                <td title={new Date(t.at * 1000).toISOString()}>{clock(t.at)}</td>
                <td>
                  <StatusPill status={t.status} trans={trans} />
                </td>
                <td>{t.attempt}</td>
                <td>{t.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
