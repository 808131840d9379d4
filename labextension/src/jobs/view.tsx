/**
 * The job view in the main area: status, progress and controls on top, the
 * scheduling details and the history, the metric curves, and the live log
 * below. It renders the jobs model; the log, the chart and the history read
 * their own sources for this one job.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { type CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { describeError } from '../client';
import { type ForgatherEvents, type IForgatherEvent } from '../client/events';
import type { IJobHistory } from '../client/jobs';
import type { DescribeJob } from '../client/schemas';
import { PeerNote } from '../cluster/jobsByNode';
import { CommandIDs } from '../commands';
import { forgatherIcon } from '../icons';
import { ProgressBar, StatusPill, controlLabels, engineText, gpuText } from './components';
import { JobDetails, JobHistoryTable } from './details';
import { JobLog } from './log';
import { JobLogStream } from './logStream';
import { JobMetrics } from './metrics';
import { JobMetricsModel } from './metricsModel';
import { type JobsModel, TERMINAL } from './model';

/** The freshest record: the queue's while queued (it carries the place and the reason). */
function record(model: JobsModel, id: string): DescribeJob | undefined {
  return model.queue.find(j => j.id === id) ?? model.job(id);
}

function JobHeader(props: {
  jobId: string;
  model: JobsModel;
  history: IJobHistory | null;
  historyError: string | null;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans, commands, jobId } = props;
  const job = record(model, jobId);
  if (!job) {
    return <div className="jp-forgather-job-header">{trans.__('Loading job %1…', jobId)}</div>;
  }
  const active = job.status === 'running' || job.status === 'starting';
  // An engine's job: its id there says more than the PID (a stand-in for that id);
  // the node is in the GPUs' text already.
  const engine = engineText(trans, job, false);
  // Queued: our scheduler's reason; starting: the engine's (it waits in Slurm's queue).
  const waiting = (job.status === 'queued' || job.status === 'starting') && job.pending_reason;
  const run = (command: string, args: Record<string, string>) => () =>
    void commands.execute(command, { jobId, ...args });
  return (
    <div className="jp-forgather-job-header">
      <div className="jp-forgather-job-title">
        <h2>{job.name}</h2>
        <StatusPill status={job.status} trans={trans} />
        <span className="jp-forgather-muted">
          {job.job_type} · {gpuText(trans, job)}
          <PeerNote job={job} nodes={model.nodes} trans={trans} /> ·{' '}
          {trans.__('priority %1', job.priority)}
          {(job.attempt ?? 1) > 1 && ` · ${trans.__('attempt %1', job.attempt)}`}
          {engine !== null
            ? ` · ${engine}`
            : job.pid !== null && job.pid !== undefined && ` · pid ${job.pid}`}
          {job.exit_code !== null && ` · ${trans.__('exit code %1', job.exit_code)}`}
        </span>
      </div>
      {waiting && (
        <p className="jp-forgather-banner" role="status" data-testid="forgather-pending-reason">
          {job.position
            ? trans.__('#%1 in the queue: %2', job.position, job.pending_reason)
            : job.pending_reason}
        </p>
      )}
      {active && <ProgressBar progress={model.progress(jobId)} label={trans.__('Progress')} />}
      {job.error && (
        <p className="jp-forgather-error" role="alert">
          {job.error}
        </p>
      )}
      <div className="jp-forgather-toolbar" role="toolbar" aria-label={trans.__('Job controls')}>
        {job.status === 'queued' && (
          <button className="jp-mod-styled jp-mod-warn" onClick={run(CommandIDs.jobCancel, {})}>
            {trans.__('Cancel')}
          </button>
        )}
        {active &&
          controlLabels(trans).map(([action, label]) => (
            <button
              key={action}
              className={`jp-mod-styled ${action.includes('kill') || action === 'abort' ? 'jp-mod-warn' : 'jp-mod-reject'}`}
              onClick={run(CommandIDs.jobControl, { action })}
            >
              {label}
            </button>
          ))}
        {TERMINAL.has(job.status) && model.isLocal(job) && (
          <button className="jp-mod-styled jp-mod-reject" onClick={run(CommandIDs.jobDelete, {})}>
            {trans.__('Delete')}
          </button>
        )}
      </div>
      <div className="jp-forgather-job-scheduling">
        <JobDetails job={job} lookup={id => model.job(id)} commands={commands} trans={trans} />
        <JobHistoryTable history={props.history} error={props.historyError} trans={trans} />
      </div>
    </div>
  );
}

export class JobViewBody extends Panel {
  constructor(
    readonly jobId: string,
    readonly model: JobsModel,
    events: ForgatherEvents,
    commands: CommandRegistry,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-forgather-job-view');
    this._trans = trans;
    // Re-rendered on the model's changes and when the history arrives (a finished
    // peer's job may see no model change for a while).
    const header = ReactWidget.create(
      <UseSignal signal={model.changed}>
        {() => (
          <UseSignal signal={this._historyLoaded}>
            {() => (
              <JobHeader
                jobId={jobId}
                model={model}
                history={this._history}
                historyError={this._historyError}
                commands={commands}
                trans={trans}
              />
            )}
          </UseSignal>
        )}
      </UseSignal>
    );
    this._stream = new JobLogStream(model.client, jobId, model.settings);
    this._series = new JobMetricsModel(model.client, jobId, model.settings);
    this.log = new JobLog(this._stream, trans.__('Log of job %1', jobId));
    this.metrics = new JobMetrics(this._series, trans.__('Metrics of job %1', jobId));
    this.addWidget(header);
    this.addWidget(this.metrics);
    this.addWidget(this.log);
    header.addClass('jp-forgather-job-header-widget');
    model.changed.connect(this._onModel, this);
    events.received.connect(this._onEvent, this);
    this._stream.connect();
    this._series.update();
    this._onModel();
    void this._loadHistory();
  }

  readonly log: JobLog;
  readonly metrics: JobMetrics;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stream.dispose();
    this._series.dispose();
    super.dispose();
  }

  /** Fetch the history again (on each status or attempt change: a new row). */
  private async _loadHistory(): Promise<void> {
    const job = this.model.job(this.jobId);
    if (job && !this.model.isLocal(job)) {
      // Cluster mode: a peer's history is not forwarded (docs/cluster.md).
      this._historyError = this._trans.__('The history of this job is kept on its node.');
      this._historyLoaded.emit();
      return;
    }
    try {
      this._history = await this.model.client.jobs.history(this.jobId);
      this._historyError = null;
    } catch (error) {
      this._historyError = describeError(error);
    }
    if (!this.isDisposed) {
      this._historyLoaded.emit();
    }
  }

  private _onModel(): void {
    const job = this.model.job(this.jobId);
    if (!job) {
      return;
    }
    const step = `${job.status}/${job.attempt}`;
    if (this._step !== null && step !== this._step) {
      void this._loadHistory();
    }
    this._step = step;
    if (job.status !== this._status) {
      const wasWaiting = this._status === 'queued' || this._status === 'starting';
      this._status = job.status;
      if (wasWaiting && job.status === 'running' && !this._stream.live) {
        this._stream.connect();
      }
      this._series.setLive(job.status === 'running');
    }
  }

  private _onEvent(_: ForgatherEvents, event: IForgatherEvent): void {
    if (event.job_id === this.jobId && event.type === 'job_progress') {
      this._series.update();
    }
  }

  private _stream: JobLogStream;
  private _series: JobMetricsModel;
  private _status: string | null = null;
  private _step: string | null = null;
  private _history: IJobHistory | null = null;
  private _historyError: string | null = null;
  private _trans: TranslationBundle;
  private _historyLoaded = new Signal<this, void>(this);
}

export class JobView extends MainAreaWidget<JobViewBody> {
  constructor(content: JobViewBody, trans: TranslationBundle) {
    super({ content });
    this.id = `forgather-job-${content.jobId}`;
    this.addClass('jp-forgather-job-main');
    this.title.icon = forgatherIcon;
    this.title.closable = true;
    const update = () => {
      const job = content.model.job(content.jobId);
      this.title.label = job ? job.name : content.jobId;
      this.title.caption = trans.__('Forgather job %1', content.jobId);
    };
    content.model.changed.connect(update, this);
    update();
  }
}
