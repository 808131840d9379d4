/**
 * The Evaluate panel's command: "Show Evaluation Results" on a finished eval
 * job (its config's output directory), on a project's Evaluations group in
 * the Projects tree, or from the palette (the latest eval job).
 */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import { type ICommandPalette, Notification } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';

import { type ForgatherClient, describeError } from '../client';
import type { DescribeJob } from '../client/schemas';
import { CommandIDs } from '../commands';
import { type JobsModel } from '../jobs/model';
import { EvaluationsModel } from './model';
import { EvaluatePanel } from './panel';

const EVAL_GROUP = '.jp-forgather-tree-node[data-kind="output-group"][data-group="evaluations"]';
const JOB_ROW = '.jp-forgather-job[data-job-id]';

/** The output directory an eval (or training) job writes to. */
export function outputDirOf(job: DescribeJob): string | null {
  const params = job.params as { job?: { output_dir?: unknown } };
  const dir = params.job?.output_dir;
  return typeof dir === 'string' ? dir : null;
}

export function setupEvaluate(
  app: JupyterFrontEnd,
  opts: {
    client: ForgatherClient;
    jobs: JobsModel;
    palette: ICommandPalette | null;
    trans: TranslationBundle;
  }
): void {
  const { client, jobs, trans } = opts;
  const { commands, shell } = app;
  const panels = new Map<string, EvaluatePanel>();

  const jobOf = (args: Record<string, unknown>): DescribeJob | null => {
    const id =
      typeof args.jobId === 'string'
        ? args.jobId
        : app.contextMenuHitTest(n => n.matches(JOB_ROW))?.dataset.jobId;
    return id ? (jobs.job(id) ?? null) : null;
  };
  const groupDir = (): string | null =>
    app.contextMenuHitTest(n => n.matches(EVAL_GROUP))?.dataset.path ?? null;
  const latestEval = (): DescribeJob | null =>
    jobs.jobs.find(j => j.job_type === 'eval' && j.status === 'done') ?? null;

  commands.addCommand(CommandIDs.openEvaluations, {
    label: trans.__('Show Evaluation Results'),
    caption: trans.__('The evaluations of an output directory, as a table'),
    isVisible: args => {
      if (typeof args.outputDir === 'string' || groupDir() !== null) {
        return true;
      }
      const job = jobOf(args);
      return job ? job.job_type === 'eval' : latestEval() !== null;
    },
    execute: async args => {
      let dir = typeof args.outputDir === 'string' ? args.outputDir : groupDir();
      if (!dir) {
        const job = jobOf(args) ?? latestEval();
        dir = job ? outputDirOf(job) : null;
        if (!dir && job) {
          try {
            dir = outputDirOf(await client.jobs.get(job.id));
          } catch (e) {
            Notification.error(describeError(e));
            return;
          }
        }
      }
      if (!dir) {
        Notification.warning(trans.__('No finished evaluation yet: Run an evaluation config.'));
        return;
      }
      let panel = panels.get(dir);
      if (!panel || panel.isDisposed) {
        panel = new EvaluatePanel(new EvaluationsModel(client, dir), trans);
        panels.set(dir, panel);
        shell.add(panel, 'main');
      } else {
        void panel.content.model.refresh();
      }
      shell.activateById(panel.id);
    }
  });
  app.contextMenu.addItem({ command: CommandIDs.openEvaluations, selector: EVAL_GROUP, rank: 0 });
  app.contextMenu.addItem({ command: CommandIDs.openEvaluations, selector: JOB_ROW, rank: 20 });
  opts.palette?.addItem({ command: CommandIDs.openEvaluations, category: 'Forgather' });
}
