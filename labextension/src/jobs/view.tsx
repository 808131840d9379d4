/**
 * The job view in the main area: status, progress and controls on top, the
 * metric curves, and the live log below. It renders the jobs model; the log
 * and the chart read their own streams for this one job.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { type CommandRegistry } from '@lumino/commands';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { CommandIDs } from '../commands';
import { type ForgatherEvents, type IForgatherEvent } from '../client/events';
import { forgatherIcon } from '../icons';
import { ProgressBar, StatusPill, controlLabels, gpuText } from './components';
import { JobLog } from './log';
import { JobLogStream } from './logStream';
import { JobMetrics } from './metrics';
import { JobMetricsModel } from './metricsModel';
import { type JobsModel, TERMINAL } from './model';

function JobHeader(props: {
  jobId: string;
  model: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans, commands, jobId } = props;
  const job = model.job(jobId);
  if (!job) {
    return <div className="jp-forgather-job-header">{trans.__('Loading job %1…', jobId)}</div>;
  }
  const active = job.status === 'running' || job.status === 'starting';
  const run = (command: string, args: Record<string, string>) => () =>
    void commands.execute(command, { jobId, ...args });
  return (
    <div className="jp-forgather-job-header">
      <div className="jp-forgather-job-title">
        <h2>{job.name}</h2>
        <StatusPill status={job.status} trans={trans} />
        <span className="jp-forgather-muted">
          {job.job_type} · {gpuText(trans, job)} · {trans.__('priority %1', job.priority)}
          {job.pid !== null && ` · pid ${job.pid}`}
          {job.exit_code !== null && ` · ${trans.__('exit code %1', job.exit_code)}`}
        </span>
      </div>
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
        {TERMINAL.has(job.status) && (
          <button className="jp-mod-styled jp-mod-reject" onClick={run(CommandIDs.jobDelete, {})}>
            {trans.__('Delete')}
          </button>
        )}
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
    const header = ReactWidget.create(
      <UseSignal signal={model.changed}>
        {() => <JobHeader jobId={jobId} model={model} commands={commands} trans={trans} />}
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

  private _onModel(): void {
    const job = this.model.job(this.jobId);
    if (!job) {
      return;
    }
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
