/**
 * Notebook jobs in the Lab: right-click an `.ipynb` in the file browser →
 * "Queue on GPU…" → the job runs headless in a fresh kernel on the pool.
 *
 * One notification follows each queued notebook: "queued" while it waits
 * and runs, then done or failed with "Open", which opens the executed copy.
 * With an output path the job wrote it there itself (under the server root,
 * so the Lab opens that file); without one the executed notebook lives only
 * in the job's log directory (outside the root), so "Open" fetches it from
 * `GET /jobs/{id}/notebook` and saves it next to the source as
 * `<name>-<job id>.ipynb` through the Contents API before opening it.
 */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { type IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { type ITranslator, nullTranslator } from '@jupyterlab/translation';

import { type ForgatherClient } from '../client';
import type { DescribeJob } from '../client/schemas';
import { forgatherIcon } from '../icons';
import { type JobsModel, TERMINAL } from '../jobs/model';
import { type INotebookJobRequest, NotebookJobForm } from './form';
import { parseParameters, parametersSource } from './parameters';

/** The command of the file browser's context menu (kept with its feature). */
export const QUEUE_NOTEBOOK = 'forgather:queue-notebook';

export interface INotebookJobsOptions {
  client: ForgatherClient;
  jobs: JobsModel;
  fileBrowser: IDefaultFileBrowser | null;
  translator: ITranslator | null;
}

interface IQueued {
  /** The source notebook, relative to the server root. */
  path: string;
  /** Where the job saves its executed copy (relative, `{job_id}` replaced), or null. */
  output: string | null;
  /** The notification that follows the job. */
  notification: string;
}

export function setupNotebookJobs(app: JupyterFrontEnd, opts: INotebookJobsOptions): void {
  const { client, jobs } = opts;
  const trans = (opts.translator ?? nullTranslator).load('forgather_lab');
  const queued = new Map<string, IQueued>();

  const selectedNotebook = (): string | null => {
    const item = opts.fileBrowser?.selectedItems().next();
    const model = item && !item.done ? item.value : null;
    return model && model.type === 'notebook' ? model.path : null;
  };

  /** Open the executed copy of `jobId` in the notebook editor. */
  const openExecuted = async (jobId: string, info: IQueued): Promise<void> => {
    let path = info.output;
    if (path === null) {
      const executed = await client.api.get('jobs/{job_id}/notebook', { path: { job_id: jobId } });
      const stem = PathExt.basename(info.path, '.ipynb');
      path = PathExt.join(PathExt.dirname(info.path), `${stem}-${jobId}.ipynb`);
      await app.serviceManager.contents.save(path, {
        type: 'notebook',
        format: 'json',
        content: executed
      });
    }
    await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
  };
  const open = (jobId: string, info: IQueued) => () => {
    openExecuted(jobId, info).catch((error: unknown) => {
      void showErrorMessage(
        trans.__('Could not open the executed notebook'),
        error instanceof Error ? error.message : String(error)
      );
    });
  };

  const ended = (job: DescribeJob): void => {
    const info = queued.get(job.id);
    if (!info) {
      return;
    }
    queued.delete(job.id);
    const name = PathExt.basename(info.path);
    const actions = [{ label: trans.__('Open'), callback: open(job.id, info) }];
    if (job.status === 'done') {
      Notification.update({
        id: info.notification,
        message: trans.__('Notebook %1 ran (job %2)', name, job.id),
        type: 'success',
        autoClose: false,
        actions
      });
    } else {
      const why = job.error ?? job.status;
      Notification.update({
        id: info.notification,
        message: trans.__('Notebook %1 %2 (job %3): %4', name, job.status, job.id, why),
        type: 'error',
        autoClose: false,
        actions
      });
    }
  };
  jobs.jobEnded.connect((_, job) => ended(job));

  const queue = async (path: string): Promise<void> => {
    let source: string | null = null;
    try {
      const file = await app.serviceManager.contents.get(path, { type: 'notebook', content: true });
      source = parametersSource(file.content);
    } catch (error) {
      void showErrorMessage(
        trans.__('Could not read %1', path),
        error instanceof Error ? error.message : String(error)
      );
      return;
    }
    const form = new NotebookJobForm(
      trans,
      path,
      source === null ? null : parseParameters(source),
      jobs.settings.values.defaultPriority
    );
    let result: Dialog.IResult<INotebookJobRequest>;
    try {
      result = await showDialog<INotebookJobRequest>({
        title: trans.__('Queue %1 on GPU', PathExt.basename(path)),
        body: form,
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.okButton({ label: trans.__('Queue') })
        ],
        focusNodeSelector: 'input'
      });
    } catch (error) {
      void showErrorMessage(
        trans.__('Could not queue the notebook'),
        error instanceof Error ? error.message : String(error)
      );
      return;
    }
    if (!result.button.accept || !result.value) {
      return;
    }
    let job: DescribeJob;
    try {
      job = await jobs.enqueue(result.value.job);
    } catch (error) {
      void showErrorMessage(
        trans.__('Could not queue the notebook'),
        error instanceof Error ? error.message : String(error)
      );
      return;
    }
    jobs.start();
    const output = result.value.output?.split('{job_id}').join(job.id) ?? null;
    const notification = Notification.emit(
      trans.__('Notebook %1 queued as job %2', PathExt.basename(path), job.id),
      'in-progress',
      { autoClose: false }
    );
    queued.set(job.id, { path, output, notification });
    const now = jobs.job(job.id);
    if (now && TERMINAL.has(now.status)) {
      ended(now); // it ended before it was followed here
    }
  };

  app.commands.addCommand(QUEUE_NOTEBOOK, {
    label: trans.__('Queue on GPU…'),
    caption: trans.__('Run this notebook headless on the GPU pool, with parameters'),
    icon: forgatherIcon,
    isVisible: () => selectedNotebook() !== null,
    execute: args => {
      const path = typeof args.path === 'string' ? args.path : selectedNotebook();
      return path ? queue(path) : undefined;
    }
  });
  app.contextMenu.addItem({
    command: QUEUE_NOTEBOOK,
    selector: '.jp-DirListing-item[data-file-type="notebook"]',
    rank: 61
  });
}
