/**
 * The Queue section of the sidebar: what waits, in the order the scheduler's
 * next pass considers it, each job with its place and why it is not running
 * yet; priorities edit in place, "Move to top" puts a job first. It follows
 * the jobs model, which refreshes on `queue_changed` and `job_status_changed`.
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { describeError } from '../client';
import type { DescribeJob } from '../client/schemas';
import { CommandIDs } from '../commands';
import { ago, gpuText } from '../jobs/components';
import { type JobsModel } from '../jobs/model';
import { usePoolAdmin } from '../pool';
import { moveToTop, setPriority } from './actions';
import { PriorityEditor } from './priority';

/** A short form of a group (sweep) id for a chip; the whole id is its title. */
export function groupLabel(group: string): string {
  return group.length > 8 ? group.slice(0, 8) : group;
}

function QueueItem(props: {
  job: DescribeJob;
  place: number;
  first: boolean;
  model: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, place, first, model, commands, trans } = props;
  const [error, setError] = React.useState<string | null>(null);
  const [moving, setMoving] = React.useState(false);
  const top = async () => {
    setMoving(true);
    setError(null);
    try {
      await moveToTop(model, job);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setMoving(false);
    }
  };
  return (
    <li
      className="jp-forgather-queue-item"
      data-job-id={job.id}
      data-position={place}
      aria-label={job.name}
    >
      <span className="jp-forgather-position" title={trans.__('Place in the queue')}>
        {place}
      </span>
      <PriorityEditor
        jobName={job.name}
        priority={job.priority}
        save={p => setPriority(model, job.id, p)}
        onError={setError}
        trans={trans}
      />
      <button
        className="jp-forgather-job-name jp-forgather-link-button"
        title={job.name}
        onClick={() => void commands.execute(CommandIDs.openJob, { jobId: job.id })}
      >
        {job.name}
      </button>
      <span className="jp-forgather-queue-actions">
        <button
          className="jp-forgather-icon-button"
          aria-label={trans.__('Move %1 to top', job.name)}
          title={trans.__('Move to top')}
          disabled={first || moving}
          onClick={() => void top()}
        >
          ⤒
        </button>
        <button
          className="jp-forgather-icon-button"
          aria-label={trans.__('Cancel %1', job.name)}
          title={trans.__('Cancel')}
          onClick={() => void commands.execute(CommandIDs.jobCancel, { jobId: job.id })}
        >
          ✕
        </button>
      </span>
      {job.pending_reason && (
        <div className="jp-forgather-muted jp-forgather-queue-sub jp-forgather-pending-reason">
          {job.pending_reason}
        </div>
      )}
      <div className="jp-forgather-muted jp-forgather-queue-sub">
        {job.group && (
          <span
            className="jp-forgather-pill jp-forgather-tag jp-forgather-group"
            title={trans.__('Sweep or batch %1', job.group)}
            data-group={job.group}
          >
            {groupLabel(job.group)}
          </span>
        )}
        {(job.attempt ?? 1) > 1 && (
          <span
            className="jp-forgather-pill jp-forgather-tag jp-forgather-attempt"
            title={trans.__('Requeued after a preemption or a failure')}
          >
            {trans.__('attempt %1', job.attempt)}
          </span>
        )}
        {gpuText(trans, job)} · {ago(job.queued_at ?? job.created_at)}
      </div>
      {error && (
        <p className="jp-forgather-error jp-forgather-queue-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

export function QueueSection(props: {
  model: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, commands, trans } = props;
  const scheduler = model.scheduler;
  const paused = scheduler !== null && !scheduler.enabled;
  // On a shared pool only its admins pause it (the service refuses others).
  const admin = usePoolAdmin();
  return (
    <section className="jp-forgather-section" aria-label={trans.__('Queue')}>
      <header className="jp-forgather-section-header">
        <h3>
          {trans.__('Queue')}
          {model.queue.length > 0 && (
            <span className="jp-forgather-count">{model.queue.length}</span>
          )}
        </h3>
        <span className="jp-forgather-header-actions">
          <button
            className="jp-forgather-link-button"
            onClick={() => void commands.execute(CommandIDs.newCommandJob)}
          >
            {trans.__('New job')}
          </button>
          {scheduler && admin && (
            <button
              className="jp-forgather-link-button"
              aria-pressed={paused}
              onClick={() => void commands.execute(CommandIDs.schedulerToggle)}
            >
              {paused ? trans.__('Resume scheduler') : trans.__('Pause scheduler')}
            </button>
          )}
        </span>
      </header>
      {paused && (
        <p className="jp-forgather-banner" role="status" data-testid="forgather-scheduler-paused">
          {trans.__('Scheduler paused: queued jobs wait until it resumes.')}
        </p>
      )}
      {model.queue.length === 0 ? (
        <p className="jp-forgather-muted">
          {model.loaded ? trans.__('Nothing queued.') : trans.__('Loading…')}
        </p>
      ) : (
        <ol className="jp-forgather-list" aria-label={trans.__('Queued jobs')}>
          {model.queue.map((job, i) => (
            <QueueItem
              key={job.id}
              job={job}
              // The server's place; before it says, the list is in dispatch order.
              place={job.position ?? i + 1}
              first={i === 0}
              model={model}
              commands={commands}
              trans={trans}
            />
          ))}
        </ol>
      )}
    </section>
  );
}
