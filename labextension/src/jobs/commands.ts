/**
 * Job and queue commands: enqueue (command job, .py file, Run config),
 * open the job view, control, cancel, delete, clean up, pause / resume.
 * A command run from a context menu finds its job on the clicked node.
 */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { PageConfig, PathExt } from '@jupyterlab/coreutils';
import { type TranslationBundle } from '@jupyterlab/translation';

import type { DescribeDynamicArgs, DescribeJob, JobControl } from '../client/schemas';
import { EnqueueDialog } from '../cluster/runDialog';
import { ClusterPlacement } from '../cluster/runPlacement';
import { sharedCluster } from '../cluster/shared';
import { CommandIDs } from '../commands';
import { forgatherIcon } from '../icons';
import {
  CommandJobForm,
  type IJobRequest,
  type IRunKind,
  type NodePlacementFactory,
  RunConfigForm
} from './forms';
import { type JobsModel } from './model';
import { controlLabels } from './components';

export interface IJobCommandsOptions {
  app: JupyterFrontEnd;
  model: JobsModel;
  trans: TranslationBundle;
  openJob: (jobId: string) => Promise<void>;
  /** The path (relative to the server root) of the .py file the file browser has selected. */
  selectedPythonFile: () => string | null;
}

/** The server root as an absolute path, for a job's working directory. */
export function absoluteCwd(relative: string): string {
  if (relative.startsWith('/')) {
    return relative;
  }
  const root = PageConfig.getOption('serverRoot');
  return relative ? `${root.replace(/\/$/, '')}/${relative}` : root;
}

export function addJobCommands(opts: IJobCommandsOptions): void {
  const { app, model, trans } = opts;
  const { commands } = app;

  /** The job id from the args, else from the node the context menu opened on. */
  const jobIdOf = (args: Record<string, unknown>): string | null => {
    if (typeof args.jobId === 'string') {
      return args.jobId;
    }
    const node = app.contextMenuHitTest(n => n.dataset.jobId !== undefined);
    return node?.dataset.jobId ?? null;
  };
  const nameOf = (id: string) => model.job(id)?.name ?? id;
  const failed = (title: string) => (error: unknown) =>
    void showErrorMessage(title, error instanceof Error ? error.message : String(error));

  const priority = () => model.settings.values.defaultPriority;
  /** Queue what the dialog asks for: one job, or one per point of its sweep grid. */
  const enqueue = async (
    title: string,
    body: Dialog.IBodyWidget<IJobRequest>
  ): Promise<DescribeJob | null> => {
    let result: Dialog.IResult<IJobRequest>;
    const cluster = sharedCluster();
    // A multi-node job is sent by the dialog itself, which stays open on a refusal.
    const dialog = new EnqueueDialog(
      {
        title,
        body,
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.okButton({ label: trans.__('Queue') })
        ],
        focusNodeSelector: 'input'
      },
      1,
      cluster?.enabled ? request => cluster.createClusterJob(request) : null
    );
    try {
      result = await dialog.launch();
    } catch (error) {
      // A field that cannot be sent (FormError): nothing was queued.
      failed(trans.__('Could not queue the job'))(error);
      return null;
    }
    if (!result.button.accept || !result.value) {
      return null;
    }
    if (dialog.submitted) {
      const bundle = dialog.submitted;
      model.start();
      void model.refresh();
      Notification.info(
        trans._n('Started %2 on %1 node', 'Started %2 on %1 nodes', bundle.nnodes, bundle.name),
        { autoClose: 6000 }
      );
      return null;
    }
    const { job: request, grid } = result.value;
    const params = request.job_params;
    if (params && typeof params.cwd === 'string') {
      params.cwd = absoluteCwd(params.cwd);
    }
    try {
      if (grid) {
        const { jobs } = await model.client.jobs.sweep(request, grid);
        model.start();
        void model.refresh();
        const group = jobs[0]?.group ?? '';
        Notification.info(
          trans._n('%1 job queued (group %2)', '%1 jobs queued (group %2)', jobs.length, group),
          { autoClose: 6000 }
        );
        return jobs[0] ?? null;
      }
      const job = await model.enqueue(request);
      Notification.info(trans.__('Queued %1', job.name), {
        autoClose: 4000,
        actions: [{ label: trans.__('Open'), callback: () => void opts.openJob(job.id) }]
      });
      return job;
    } catch (error) {
      failed(trans.__('Could not queue the job'))(error);
      return null;
    }
  };

  commands.addCommand(CommandIDs.newCommandJob, {
    label: trans.__('Forgather: New Command Job'),
    caption: trans.__('Queue any command as a Forgather job'),
    icon: forgatherIcon,
    execute: () =>
      enqueue(trans.__('New command job'), new CommandJobForm(trans, { priority: priority() }))
  });

  commands.addCommand(CommandIDs.queueFile, {
    label: trans.__('Queue as Forgather job'),
    caption: trans.__('Run this Python file as a command job'),
    icon: forgatherIcon,
    isVisible: () => opts.selectedPythonFile() !== null,
    execute: args => {
      const path = typeof args.path === 'string' ? args.path : opts.selectedPythonFile();
      if (!path) {
        return;
      }
      const file = PathExt.basename(path);
      const form = new CommandJobForm(trans, {
        command: `python ${/\s/.test(file) ? `"${file}"` : file}`,
        cwd: PathExt.dirname(path),
        name: file,
        priority: priority()
      });
      return enqueue(trans.__('Queue %1', file), form);
    }
  });

  commands.addCommand(CommandIDs.runConfig, {
    label: args => (args.config ? trans.__('Run %1…', String(args.config)) : trans.__('Run…')),
    caption: trans.__('Queue a run of this config (training, or evaluation for an eval config)'),
    icon: forgatherIcon,
    // Not on a tree row whose config the server says does not run (another class, or no
    // job block: Overrides… only). A menu shows no caption, so a disabled item could not
    // say why; the config view shows the reason. Before the metadata loads it is offered,
    // and a click explains.
    isVisible: args =>
      Boolean(args.config) ||
      app.contextMenuHitTest(n => n.dataset.kind === 'config')?.dataset.jobType !== 'none',
    execute: async args => {
      // From the args (the config view), else from the projects tree row right-clicked.
      const row = app.contextMenuHitTest(n => n.dataset.kind === 'config');
      const projectDir = String(args.projectDir ?? row?.dataset.project ?? '');
      const config = String(args.config ?? row?.dataset.config ?? '');
      if (!projectDir || !config) {
        return showErrorMessage(
          trans.__('Run'),
          trans.__('Pick a config in the Projects section first.')
        );
      }
      let schema: DescribeDynamicArgs;
      let kind: IRunKind;
      const ref = { project_dir: projectDir, config };
      try {
        const [args, meta, out] = await Promise.all([
          model.client.projects.dynamicArgs(ref),
          model.client.projects.meta(ref),
          model.client.projects.outputDir(ref)
        ]);
        if (!meta.job_type) {
          // Another class (type.model, type.dataset): only Overrides… apply.
          return showErrorMessage(trans.__('Run %1', config), meta.not_runnable ?? '');
        }
        schema = args;
        kind = {
          jobType: meta.job_type,
          nprocPerNode: out.nproc_per_node ?? null,
          defaultGpus: out.default_gpus ?? null
        };
      } catch (error) {
        return failed(trans.__('Could not read the arguments of %1', config))(error);
      }
      // Cluster mode: where it runs (asked once here if the panel has not asked yet).
      const cluster = sharedCluster();
      if (cluster && cluster.cluster === null) {
        await cluster.refresh();
      }
      const placement: NodePlacementFactory | null = cluster?.enabled
        ? (parent, gpus, onMulti) => new ClusterPlacement(parent, trans, cluster, gpus, onMulti)
        : null;
      const form = new RunConfigForm(
        trans,
        projectDir,
        config,
        schema.args,
        schema.values,
        priority(),
        kind,
        placement
      );
      const job = await enqueue(trans.__('Run %1', config), form);
      if (job) {
        // The values used become the config's overrides: it opens where it was left.
        const values = { ...schema.values, ...form.usedValues };
        await model.client.projects.setOverrides(ref, values).catch(() => undefined);
      }
      return job;
    }
  });

  commands.addCommand(CommandIDs.openJob, {
    label: trans.__('Open Job View'),
    execute: args => {
      const id = jobIdOf(args);
      return id ? opts.openJob(id) : undefined;
    }
  });

  const labels = new Map(controlLabels(trans));
  commands.addCommand(CommandIDs.jobControl, {
    label: args => labels.get(String(args.action)) ?? trans.__('Control'),
    execute: async args => {
      const id = jobIdOf(args);
      const action = String(args.action) as JobControl;
      if (!id || !labels.has(action)) {
        return;
      }
      if (action === 'force-kill' || action === 'abort') {
        const ok = await showDialog({
          title: labels.get(action),
          body: trans.__(
            '%1 "%2"? It ends without saving.',
            labels.get(action) ?? action,
            nameOf(id)
          ),
          buttons: [
            Dialog.cancelButton(),
            Dialog.warnButton({ label: labels.get(action) ?? action })
          ]
        });
        if (!ok.button.accept) {
          return;
        }
      }
      await model
        .control(id, action)
        .catch(failed(trans.__('%1 failed', labels.get(action) ?? action)));
    }
  });

  commands.addCommand(CommandIDs.jobCancel, {
    label: trans.__('Cancel Queued Job'),
    execute: args => {
      const id = jobIdOf(args);
      return id ? model.cancel(id).catch(failed(trans.__('Could not cancel'))) : undefined;
    }
  });

  commands.addCommand(CommandIDs.jobDelete, {
    label: trans.__('Delete Job'),
    execute: args => {
      const id = jobIdOf(args);
      return id ? model.remove(id).catch(failed(trans.__('Could not delete'))) : undefined;
    }
  });

  commands.addCommand(CommandIDs.jobsCleanup, {
    label: trans.__('Forgather: Clean Up Finished Jobs'),
    execute: () => model.cleanup().catch(failed(trans.__('Cleanup failed')))
  });

  commands.addCommand(CommandIDs.schedulerToggle, {
    label: () =>
      model.scheduler?.enabled === false
        ? trans.__('Forgather: Resume Scheduler')
        : trans.__('Forgather: Pause Scheduler'),
    execute: async () => {
      model.start();
      if (!model.scheduler) {
        await model.refresh();
      }
      const enabled = model.scheduler?.enabled === false;
      await model.setScheduler(enabled).catch(failed(trans.__('Scheduler')));
    }
  });
}
