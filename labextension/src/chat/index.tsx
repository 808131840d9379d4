/**
 * Wiring of chat, inference and services: commands (Open Chat, Serve
 * inference, TensorBoard, New service), the chat tracker and the Services
 * sidebar section. Builds and registers only; no network call at activation.
 */
import { type ILayoutRestorer, type JupyterFrontEnd } from '@jupyterlab/application';
import { type ICommandPalette, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { type IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { type IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { type ITranslator, nullTranslator } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { type ForgatherClient, describeError } from '../client';
import { CommandIDs } from '../commands';
import { type JobsModel } from '../jobs/model';
import { addServiceCommands } from '../services';
import { ServicesModel } from '../services/model';
import { ServicesSection } from '../services/section';
import { ChatModel } from './model';
import { ChatPanel } from './widget';

/** A checkpoint row of the Projects tree holding a Hugging Face save (see projects/tree.tsx). */
const HF_CHECKPOINT_ROW = '.jp-forgather-tree-node[data-kind="output-item"][data-hf="true"]';
/** How long "Serve Inference" waits for the server before it stops watching. */
const READY_WITHIN_MS = 30 * 60 * 1000;
const ENDED = new Set(['done', 'failed', 'aborted', 'cancelled']);

export interface IChatSetupOptions {
  palette: ICommandPalette | null;
  restorer: ILayoutRestorer | null;
  rendermime: IRenderMimeRegistry | null;
  translator: ITranslator | null;
  fileBrowser: IDefaultFileBrowser | null;
  client: ForgatherClient;
  /** Queues the inference jobs (so the Jobs section shows them at once). */
  jobs: JobsModel;
}

export function setupChat(app: JupyterFrontEnd, opts: IChatSetupOptions): Array<() => JSX.Element> {
  const trans = (opts.translator ?? nullTranslator).load('forgather_lab');
  const chat = new ChatModel(opts.client);
  const services = new ServicesModel(opts.client);
  const tracker = new WidgetTracker<ChatPanel>({ namespace: 'forgather-chat' });
  const { commands } = app;

  commands.addCommand(CommandIDs.openChat, {
    label: trans.__('Forgather: Open Chat'),
    caption: trans.__('Chat with a running inference server'),
    execute: args => {
      if (typeof args.base === 'string' && args.base) {
        chat.setBase(args.base, true);
      }
      let panel = tracker.currentWidget;
      if (!panel || panel.isDisposed) {
        panel = new ChatPanel(chat, opts.rendermime, trans);
        void tracker.add(panel);
        app.shell.add(panel, 'main');
      } else {
        void chat.refresh();
      }
      app.shell.activateById(panel.id);
    }
  });
  void opts.restorer?.restore(tracker, { command: CommandIDs.openChat, name: () => 'chat' });

  const selectedDir = (): string | null => {
    const item = opts.fileBrowser?.selectedItems().next();
    const model = item && !item.done ? item.value : null;
    return model && model.type === 'directory' ? model.path : null;
  };
  const serverPath = (path: string): string =>
    URLExt.join(PageConfig.getOption('serverRoot') || '', path);

  /** The checkpoint row of the Projects tree the context menu was opened on. */
  const treeCheckpoint = (): string | null => {
    const node = app.contextMenuHitTest(n => n.matches(HF_CHECKPOINT_ROW));
    return node?.dataset.path ?? null;
  };

  /**
   * Wait until the inference job answers (its endpoint `ready`), then open the
   * chat on it. Polls with backoff; gives up when the job ends, its endpoint
   * fails, or after `READY_WITHIN_MS` (a job still queued behind others).
   */
  const openChatWhenReady = async (jobId: string, label: string): Promise<void> => {
    const note = Notification.emit(
      trans.__('Starting inference on %1 (job %2)…', label, jobId),
      'in-progress',
      { autoClose: false }
    );
    const deadline = Date.now() + READY_WITHIN_MS;
    let wait = 500;
    try {
      while (Date.now() < deadline) {
        const row = (await opts.client.inference.servers()).find(r => r.job_id === jobId);
        if (row?.state === 'ready' && row.base_url) {
          Notification.update({
            id: note,
            message: trans.__('Inference on %1 is ready: chat with it.', label),
            type: 'success',
            autoClose: 5000
          });
          await commands.execute(CommandIDs.openChat, { base: row.base_url });
          return;
        }
        const job = await opts.client.jobs.get(jobId);
        if (row?.state === 'failed' || ENDED.has(job.status)) {
          throw new Error(
            job.error ?? row?.message ?? trans.__('the inference job is %1', job.status)
          );
        }
        await new Promise(resolve => setTimeout(resolve, wait));
        wait = Math.min(wait * 1.5, 3000);
      }
      Notification.update({
        id: note,
        message: trans.__('Inference job %1 is not ready yet; open the chat when it is.', jobId),
        type: 'warning',
        autoClose: false
      });
    } catch (e) {
      Notification.update({
        id: note,
        message: trans.__('Inference on %1 failed: %2', label, describeError(e)),
        type: 'error',
        autoClose: false
      });
    }
  };

  commands.addCommand(CommandIDs.serveInference, {
    label: trans.__('Serve Inference'),
    caption: trans.__('Start an inference server on this checkpoint and chat with it'),
    isVisible: args =>
      typeof args.path === 'string' || treeCheckpoint() !== null || selectedDir() !== null,
    execute: async args => {
      const path =
        typeof args.path === 'string'
          ? args.path
          : (treeCheckpoint() ?? serverPath(selectedDir() ?? ''));
      const label = path.split('/').pop() ?? path;
      try {
        const job = await opts.jobs.enqueue({
          job_type: 'inference',
          job_params: { model_path: path },
          name: `inference: ${label}`
        });
        void openChatWhenReady(job.id, label);
      } catch (e) {
        Notification.error(describeError(e), { autoClose: false });
      }
    }
  });
  app.contextMenu.addItem({
    command: CommandIDs.serveInference,
    selector: '.jp-DirListing-item[data-isdir="true"]',
    rank: 61
  });
  app.contextMenu.addItem({
    command: CommandIDs.serveInference,
    selector: HF_CHECKPOINT_ROW,
    rank: 0
  });

  commands.addCommand(CommandIDs.openTensorBoard, {
    label: trans.__('Open TensorBoard'),
    execute: args => {
      const url = URLExt.join(
        PageConfig.getBaseUrl(),
        'forgather/api/tb',
        String(args.jobId ?? ''),
        '/'
      );
      window.open(url, '_blank', 'noopener');
    }
  });

  // New service, its per-kind launch dialogs and Open Docs (services/index.ts).
  addServiceCommands(app, { services, trans, palette: opts.palette });

  opts.palette?.addItem({ command: CommandIDs.openChat, category: 'Forgather' });

  return [
    () => (
      <UseSignal signal={services.changed}>
        {() => <ServicesSection model={services} commands={commands} trans={trans} />}
      </UseSignal>
    )
  ];
}
