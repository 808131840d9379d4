/**
 * Launching a service from its dialog: the dialog (generated from the
 * kind's schema), the upsert, and, once it answers, the way in: a Docs site
 * opens in a Lab tab, TensorBoard offers to open, Inference opens the chat.
 * A refused dialog (a field that cannot be sent, the server's 400) reopens
 * with what was typed.
 */
import { Dialog, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';

import { type ForgatherClient, describeError } from '../client';
import type { DescribeService, UpsertService } from '../client/schemas';
import { CommandIDs } from '../commands';
import { type ServicesModel } from './model';
import { LaunchForm, LaunchFormError, type ServiceKind } from './schemaForm';

/** How long a launched service may take to answer before the Lab stops watching. */
const READY_WITHIN_MS = 10 * 60 * 1000;

/** Show the dialog of `kind` until it is cancelled or the service is created. */
export async function launchService(
  model: ServicesModel,
  kind: ServiceKind,
  commands: CommandRegistry,
  trans: TranslationBundle
): Promise<DescribeService | null> {
  for (;;) {
    let request: UpsertService | null;
    try {
      const result = await showDialog<UpsertService>({
        title: trans.__('%1…', kind.label),
        body: new LaunchForm(kind, model.memory, trans),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.okButton({ label: trans.__('Start') })
        ],
        focusNodeSelector: 'input, select, textarea'
      });
      request = result.button.accept ? result.value : null;
    } catch (e) {
      if (!(e instanceof LaunchFormError)) {
        throw e;
      }
      await showErrorMessage(trans.__('%1…', kind.label), e.message);
      continue; // the values were remembered: the dialog comes back as it was
    }
    if (!request) {
      return null;
    }
    try {
      const service = await model.upsert(request);
      if (service.job_id) {
        void openWhenReady(model.client, service, kind, commands, trans);
      }
      return service;
    } catch (e) {
      await showErrorMessage(trans.__('%1…', kind.label), describeError(e));
    }
  }
}

/** Wait for the service's job to answer, then open it (or say why it did not start). */
async function openWhenReady(
  client: ForgatherClient,
  service: DescribeService,
  kind: ServiceKind,
  commands: CommandRegistry,
  trans: TranslationBundle
): Promise<void> {
  const jobId = service.job_id ?? '';
  const label = `${service.type}/${service.name}`;
  const note = Notification.emit(trans.__('Starting %1…', label), 'in-progress', {
    autoClose: false
  });
  const deadline = Date.now() + READY_WITHIN_MS;
  let wait = 500;
  try {
    while (Date.now() < deadline) {
      const row = (await client.inference.servers()).find(r => r.job_id === jobId);
      const job = await client.jobs.get(jobId);
      if (kind.type === 'dataset_server' ? job.status === 'running' : row?.state === 'ready') {
        const open = openCommand(service.type, jobId, row?.base_url ?? null);
        Notification.update({
          id: note,
          message: trans.__('%1 is ready.', label),
          type: 'success',
          autoClose: 5000,
          actions:
            open && service.type === 'tensorboard'
              ? [{ label: trans.__('Open'), callback: () => void commands.execute(...open) }]
              : []
        });
        if (open && service.type !== 'tensorboard') {
          // A popup (TensorBoard's own tab) needs the click; a Lab tab does not.
          await commands.execute(...open);
        }
        return;
      }
      if (
        row?.state === 'failed' ||
        ['done', 'failed', 'aborted', 'cancelled'].includes(job.status)
      ) {
        throw new Error(job.error ?? row?.message ?? trans.__('its job is %1', job.status));
      }
      await new Promise(resolve => setTimeout(resolve, wait));
      wait = Math.min(wait * 1.5, 3000);
    }
    Notification.update({
      id: note,
      message: trans.__('%1 is not ready yet.', label),
      type: 'warning',
      autoClose: false
    });
  } catch (e) {
    Notification.update({
      id: note,
      message: trans.__('%1 did not start: %2', label, describeError(e)),
      type: 'error',
      autoClose: false
    });
  }
}

/** The command that opens a running service of `type`, if there is one. */
export function openCommand(
  type: string,
  jobId: string,
  baseUrl: string | null
): [string, Record<string, string>] | null {
  switch (type) {
    case 'docs':
      return [CommandIDs.openDocs, { jobId }];
    case 'tensorboard':
      return [CommandIDs.openTensorBoard, { jobId }];
    case 'inference':
      return baseUrl ? [CommandIDs.openChat, { base: baseUrl }] : null;
    default:
      return null;
  }
}
