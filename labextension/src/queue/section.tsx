/** The Queue section of the sidebar: what waits, in dispatch order, and the scheduler. */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { CommandIDs } from '../commands';
import { ago, gpuText } from '../jobs/components';
import { type JobsModel } from '../jobs/model';

export function QueueSection(props: {
  model: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, commands, trans } = props;
  const scheduler = model.scheduler;
  const paused = scheduler !== null && !scheduler.enabled;
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
          {scheduler && (
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
        <ul className="jp-forgather-list" aria-label={trans.__('Queued jobs')}>
          {model.queue.map(job => (
            <li
              key={job.id}
              className="jp-forgather-queue-item"
              data-job-id={job.id}
              aria-label={job.name}
            >
              <span className="jp-forgather-priority" title={trans.__('Priority')}>
                {job.priority}
              </span>
              <button
                className="jp-forgather-job-name jp-forgather-link-button"
                onClick={() => void commands.execute(CommandIDs.openJob, { jobId: job.id })}
              >
                {job.name}
              </button>
              <span className="jp-forgather-muted">
                {gpuText(trans, job)} · {ago(job.created_at)}
              </span>
              <button
                className="jp-forgather-icon-button"
                aria-label={trans.__('Cancel %1', job.name)}
                title={trans.__('Cancel')}
                onClick={() => void commands.execute(CommandIDs.jobCancel, { jobId: job.id })}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
