/** GPU commands: disable / enable, minimum priority, kill what runs on a card. */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  InputDialog,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
import { type GpusModel } from './model';

export function addGpuCommands(
  app: JupyterFrontEnd,
  model: GpusModel,
  trans: TranslationBundle
): void {
  const { commands } = app;

  /** The GPU index from the args, else from the card the context menu opened on. */
  const indexOf = (args: Record<string, unknown>): number | null => {
    if (typeof args.index === 'number') {
      return args.index;
    }
    const node = app.contextMenuHitTest(n => n.dataset.gpuIndex !== undefined);
    return node ? Number(node.dataset.gpuIndex) : null;
  };
  const gpuOf = (args: Record<string, unknown>) => {
    const i = indexOf(args);
    return i === null ? undefined : model.gpus.find(g => g.index === i);
  };
  const failed = (title: string) => (error: unknown) =>
    void showErrorMessage(title, error instanceof Error ? error.message : String(error));

  commands.addCommand(CommandIDs.gpuToggle, {
    label: args => (gpuOf(args)?.disabled ? trans.__('Enable GPU') : trans.__('Disable GPU')),
    caption: trans.__('A disabled GPU gets no new jobs; running ones keep it'),
    isEnabled: args => !gpuOf(args)?.excluded,
    execute: args => {
      const gpu = gpuOf(args);
      if (!gpu) {
        return;
      }
      return model
        .setPolicy(gpu.index, { disabled: !gpu.disabled })
        .catch(failed(trans.__('GPU %1', gpu.index)));
    }
  });

  commands.addCommand(CommandIDs.gpuMinPriority, {
    label: trans.__('Set Minimum Priority…'),
    caption: trans.__('Only jobs of at least this priority are placed on this GPU'),
    execute: async args => {
      const gpu = gpuOf(args);
      if (!gpu) {
        return;
      }
      const result = await InputDialog.getNumber({
        title: trans.__('Minimum priority for GPU %1', gpu.index),
        value: gpu.min_priority,
        label: trans.__('Jobs below this priority will not be placed here (0 = any)'),
        okLabel: trans.__('Set'),
        cancelLabel: trans.__('Cancel')
      });
      if (!result.button.accept || result.value === null || Number.isNaN(result.value)) {
        return;
      }
      await model
        .setPolicy(gpu.index, { min_priority: Math.round(result.value) })
        .catch(failed(trans.__('GPU %1', gpu.index)));
    }
  });

  commands.addCommand(CommandIDs.gpuKill, {
    label: trans.__('Kill Processes on GPU…'),
    caption: trans.__('SIGKILL every process that uses this GPU'),
    execute: async args => {
      const gpu = gpuOf(args);
      if (!gpu) {
        return;
      }
      const pids = gpu.processes.map(p => p.pid).join(', ') || trans.__('none seen right now');
      const ok = await showDialog({
        title: trans.__('Kill processes on GPU %1?', gpu.index),
        body: trans.__(
          'Every process using GPU %1 is killed at once (PIDs: %2). Unsaved work is lost.',
          gpu.index,
          pids
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: trans.__('Kill') })
        ]
      });
      if (!ok.button.accept) {
        return;
      }
      try {
        const result = await model.kill(gpu.index);
        Notification.info(
          trans.__(
            'GPU %1: killed %2 process(es), %3 failed',
            gpu.index,
            result.killed.length,
            result.failed.length
          ),
          { autoClose: 5000 }
        );
      } catch (error) {
        failed(trans.__('GPU %1', gpu.index))(error);
      }
    }
  });
}
