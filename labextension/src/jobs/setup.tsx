/**
 * Wiring of the queue, jobs and GPUs: models fed by the one event stream,
 * commands, context menus, the job view tracker, notifications, the status
 * bar item and the sidebar sections. Called from `activate()`: it builds and
 * registers only; the streams start after Lab has restored (the status bar
 * and notifications need them) or when a section is first shown.
 */
import { type ILayoutRestorer, type JupyterFrontEnd } from '@jupyterlab/application';
import { type ICommandPalette, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { type IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { type IStatusBar } from '@jupyterlab/statusbar';
import { type ITranslator, nullTranslator } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CommandIDs } from '../commands';
import { type ForgatherClient } from '../client';
import { ForgatherEvents } from '../client/events';
import { addGpuCommands } from '../gpus/commands';
import { GpusModel } from '../gpus/model';
import { GpusSection } from '../gpus/section';
import { QueueSection } from '../queue/section';
import { type ForgatherSettings } from '../settings';
import { GpuStatusItem } from '../statusbar';
import { addJobCommands } from './commands';
import { JobsModel } from './model';
import { JobsSection } from './section';
import type { JobView } from './view';

export interface IJobsSetupOptions {
  palette: ICommandPalette | null;
  restorer: ILayoutRestorer | null;
  statusBar: IStatusBar | null;
  translator: ITranslator | null;
  fileBrowser: IDefaultFileBrowser | null;
  openPanel: () => void;
  client: ForgatherClient;
  settings: ForgatherSettings;
}

/** Starts its models when first mounted (the panel was shown). */
function Started(props: { start: () => void; children: React.ReactNode }): JSX.Element {
  const { start } = props;
  React.useEffect(() => start(), [start]);
  return <>{props.children}</>;
}

/** The jobs model (other features queue through it) and the sidebar sections. */
export interface IJobsFeature {
  jobs: JobsModel;
  sections: Array<() => JSX.Element>;
}

export function setupJobs(app: JupyterFrontEnd, opts: IJobsSetupOptions): IJobsFeature {
  const trans = (opts.translator ?? nullTranslator).load('forgather_lab');
  const { client, settings } = opts;
  const events = new ForgatherEvents(client.transport);
  const jobs = new JobsModel(client, events, settings);
  const gpus = new GpusModel(client, events, settings);
  const start = () => {
    jobs.start();
    gpus.start();
  };
  const { commands } = app;

  const tracker = new WidgetTracker<JobView>({ namespace: 'forgather-job' });
  const openJob = async (jobId: string): Promise<void> => {
    const open = tracker.find(w => w.content.jobId === jobId);
    if (open) {
      app.shell.activateById(open.id);
      return;
    }
    start();
    if (!jobs.job(jobId)) {
      await jobs.fetchJob(jobId);
    }
    // xterm.js and uPlot load with the first job view, not with Lab.
    const { JobView, JobViewBody } = await import('./view');
    const view = new JobView(new JobViewBody(jobId, jobs, events, commands, trans), trans);
    void tracker.add(view);
    app.shell.add(view, 'main');
    app.shell.activateById(view.id);
  };
  void opts.restorer?.restore(tracker, {
    command: CommandIDs.openJob,
    args: w => ({ jobId: w.content.jobId }),
    name: w => w.content.jobId
  });

  const selectedPythonFile = (): string | null => {
    const item = opts.fileBrowser?.selectedItems().next();
    const model = item && !item.done ? item.value : null;
    return model && model.type === 'file' && model.path.endsWith('.py') ? model.path : null;
  };
  addJobCommands({ app, model: jobs, trans, openJob, selectedPythonFile });
  addGpuCommands(app, gpus, trans);

  // Context menus (right click) on job cards, queue items, GPU cards and .py files.
  const jobSel = '.jp-forgather-job[data-job-id]';
  app.contextMenu.addItem({ command: CommandIDs.openJob, selector: jobSel, rank: 0 });
  ['save', 'stop', 'save-stop', 'abort', 'kill', 'force-kill'].forEach((action, i) =>
    app.contextMenu.addItem({
      command: CommandIDs.jobControl,
      args: { action },
      selector: `${jobSel}[data-status="running"]`,
      rank: 1 + i
    })
  );
  app.contextMenu.addItem({
    command: CommandIDs.jobDelete,
    // A peer's job (data-peer) cannot be deleted from here: delete is not forwarded.
    selector: `${jobSel}:not([data-status="running"]):not([data-status="starting"]):not([data-peer])`,
    rank: 10
  });
  app.contextMenu.addItem({
    command: CommandIDs.jobCancel,
    selector: '.jp-forgather-queue-item[data-job-id]',
    rank: 0
  });
  app.contextMenu.addItem({
    command: CommandIDs.openJob,
    selector: '.jp-forgather-queue-item[data-job-id]',
    rank: 1
  });
  const gpuSel = '.jp-forgather-gpu[data-gpu-index]';
  app.contextMenu.addItem({ command: CommandIDs.gpuToggle, selector: gpuSel, rank: 0 });
  app.contextMenu.addItem({ command: CommandIDs.gpuMinPriority, selector: gpuSel, rank: 1 });
  app.contextMenu.addItem({ command: CommandIDs.gpuKill, selector: gpuSel, rank: 2 });
  app.contextMenu.addItem({
    command: CommandIDs.runConfig,
    selector: '.jp-forgather-tree-node[data-kind="config"]',
    rank: 0
  });
  app.contextMenu.addItem({
    command: CommandIDs.queueFile,
    selector: '.jp-DirListing-item[data-file-type="python"]',
    rank: 60
  });

  for (const command of [
    CommandIDs.newCommandJob,
    CommandIDs.schedulerToggle,
    CommandIDs.jobsCleanup
  ]) {
    opts.palette?.addItem({ command, category: 'Forgather' });
  }

  jobs.jobEnded.connect((_, job) => {
    if (!settings.values.notifyJobEnd) {
      return;
    }
    const open = { label: trans.__('Open'), callback: () => void openJob(job.id) };
    if (job.status === 'done') {
      Notification.success(trans.__('Job %1 finished', job.name), {
        autoClose: 6000,
        actions: [open]
      });
    } else {
      const why =
        job.error ??
        (job.exit_code !== null ? trans.__('exit code %1', job.exit_code) : job.status);
      Notification.error(trans.__('Job %1 %2: %3', job.name, job.status, why), {
        autoClose: false,
        actions: [open]
      });
    }
  });

  if (opts.statusBar) {
    const item = new GpuStatusItem(gpus, trans, opts.openPanel);
    opts.statusBar.registerStatusItem('forgather-lab:gpus', { item, align: 'left', rank: 5 });
  }
  // Not in activate(): Lab's start never waits on the Forgather API.
  void app.restored.then(start);

  const sections = [
    () => (
      <Started start={start}>
        <UseSignal signal={jobs.changed}>
          {() => (
            <>
              <QueueSection model={jobs} commands={commands} trans={trans} />
              <JobsSection model={jobs} commands={commands} trans={trans} />
            </>
          )}
        </UseSignal>
      </Started>
    ),
    () => (
      <UseSignal signal={gpus.changed}>
        {() => <GpusSection model={gpus} jobs={jobs} commands={commands} trans={trans} />}
      </UseSignal>
    )
  ];
  return { jobs, sections };
}
