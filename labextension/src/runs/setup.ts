/**
 * Wiring of the runs feature: the Compare and Re-run… commands, their
 * context-menu entries on job cards, the Compare view tracker (restored
 * with the layout) and the actions the Runs table calls. Called from
 * `activate()`: it registers only and makes no network call.
 */
import { type ILayoutRestorer, type JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  type ICommandPalette,
  Notification,
  WidgetTracker,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { type ITranslator, nullTranslator } from '@jupyterlab/translation';

import { type ForgatherClient, describeError } from '../client';
import type { RerunJob } from '../client/runs';
import { CommandIDs } from '../commands';
import { forgatherIcon } from '../icons';
import { type JobsModel } from '../jobs/model';
import { setRunsActions } from './actions';
import { RunsCommandIDs } from './commands';
import type { CompareView } from './view';

export interface IRunsSetupOptions {
  client: ForgatherClient;
  jobs: JobsModel;
  restorer: ILayoutRestorer | null;
  palette: ICommandPalette | null;
  translator: ITranslator | null;
}

/** Job ids from a command's args: `jobIds` (a list or comma-separated), else `jobId`. */
export function jobIdsOf(args: Record<string, unknown>): string[] {
  const raw = args.jobIds ?? args.jobId;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
  return [...new Set(list.map(x => String(x).trim()).filter(Boolean))];
}

export function setupRuns(app: JupyterFrontEnd, opts: IRunsSetupOptions): void {
  const { client, jobs } = opts;
  const { commands } = app;
  const trans = (opts.translator ?? nullTranslator).load('forgather_lab');
  const tracker = new WidgetTracker<CompareView>({ namespace: 'forgather-compare' });

  const openCompare = async (ids: string[]): Promise<void> => {
    const key = ids.join(',');
    const open = tracker.find(w => w.content.model.jobIds.join(',') === key);
    if (open) {
      app.shell.activateById(open.id);
      return;
    }
    // uPlot loads with the first chart, not with Lab.
    const [{ CompareView, CompareViewBody }, { CompareModel }] = await Promise.all([
      import('./view'),
      import('./model')
    ]);
    // The user's chart budget, within what GET /metrics/compare takes (2..10000).
    const maxPoints = Math.max(2, Math.min(10000, jobs.settings.values.chartMaxPoints));
    const model = new CompareModel(client, ids, { maxPoints });
    const view = new CompareView(new CompareViewBody(model, trans));
    void tracker.add(view);
    app.shell.add(view, 'main');
    app.shell.activateById(view.id);
  };

  /** The job a context menu was opened on, when the args name none. */
  const hitJob = (): string | null =>
    app.contextMenuHitTest(n => n.dataset.jobId !== undefined)?.dataset.jobId ?? null;

  commands.addCommand(RunsCommandIDs.compare, {
    label: args => {
      const n = jobIdsOf(args).length;
      return n ? trans._n('Compare %1 Run', 'Compare %1 Runs', n) : trans.__('Compare Runs');
    },
    caption: trans.__('Overlay the curves and diff the parameters of jobs'),
    icon: forgatherIcon,
    execute: args => {
      const ids = jobIdsOf(args);
      if (!ids.length) {
        return showErrorMessage(
          trans.__('Compare'),
          trans.__('Select jobs in the Jobs list (their check boxes) first.')
        );
      }
      return openCompare(ids);
    }
  });

  commands.addCommand(RunsCommandIDs.rerun, {
    label: trans.__('Re-run…'),
    caption: trans.__('Queue this job again, with changes'),
    execute: async args => {
      const id = jobIdsOf(args)[0] ?? hitJob();
      if (!id) {
        return;
      }
      let job = jobs.job(id);
      try {
        job = job ?? (await jobs.fetchJob(id));
      } catch (error) {
        return showErrorMessage(trans.__('Re-run'), describeError(error));
      }
      const { RerunForm } = await import('./rerun');
      const result = await showDialog<RerunJob>({
        title: trans.__('Re-run %1', job.name),
        body: new RerunForm(job, trans),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.okButton({ label: trans.__('Queue') })
        ],
        focusNodeSelector: 'input'
      });
      if (!result.button.accept) {
        return;
      }
      try {
        if (result.value === null) {
          throw new Error(trans.__('The form could not be read.'));
        }
        const created = await client.runs.rerun(id, result.value);
        jobs.start();
        void jobs.refresh();
        Notification.info(trans.__('Queued %1 (a re-run of %2)', created.name, job.name), {
          autoClose: 4000
        });
        await commands.execute(CommandIDs.openJob, { jobId: created.id });
      } catch (error) {
        void showErrorMessage(trans.__('Could not re-run %1', job.name), describeError(error));
      }
    }
  });

  setRunsActions({
    compare: ids => void commands.execute(RunsCommandIDs.compare, { jobIds: ids }),
    rerun: id => void commands.execute(RunsCommandIDs.rerun, { jobId: id }),
    openJob: id => void commands.execute(CommandIDs.openJob, { jobId: id })
  });

  void opts.restorer?.restore(tracker, {
    command: RunsCommandIDs.compare,
    args: w => ({ jobIds: [...w.content.model.jobIds] }),
    name: w => w.content.model.jobIds.join(',')
  });

  app.contextMenu.addItem({
    command: RunsCommandIDs.rerun,
    selector: '.jp-forgather-job[data-job-id]',
    rank: 9
  });
  opts.palette?.addItem({ command: RunsCommandIDs.compare, category: 'Forgather' });
}
