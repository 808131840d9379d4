/**
 * The services' commands: "New Forgather Service…" (pick a kind), one
 * launch command per kind ("New Docs Service…"), and Open Docs (a docs job's
 * site in a Lab tab). Registered by the chat setup, which owns the Services
 * section's model; no network call until a command runs.
 */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, type ICommandPalette, Notification, showDialog } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { describeError } from '../client';
import { CommandIDs } from '../commands';
import { DocsTab } from './docsTab';
import { launchService } from './launch';
import { type ServicesModel } from './model';
import { type ServiceKind } from './schemaForm';

/** The labels of the kinds the palette lists before the server has said (no call at start). */
const KNOWN: Array<[string, string]> = [
  ['inference', 'Inference'],
  ['tensorboard', 'TensorBoard'],
  ['docs', 'Docs'],
  ['dataset_server', 'Dataset server']
];

class KindPicker extends Widget implements Dialog.IBodyWidget<string> {
  constructor(kinds: ServiceKind[], trans: TranslationBundle) {
    super({ node: document.createElement('div') });
    this.addClass('jp-forgather-form');
    const label = document.createElement('label');
    label.textContent = trans.__('Kind');
    this._select = document.createElement('select');
    this._select.className = 'jp-mod-styled';
    this._select.setAttribute('aria-label', trans.__('Kind'));
    for (const kind of kinds) {
      const opt = document.createElement('option');
      opt.value = kind.type;
      opt.textContent = kind.label;
      this._select.append(opt);
    }
    label.append(this._select);
    this.node.append(label);
  }

  getValue(): string {
    return this._select.value;
  }

  private _select: HTMLSelectElement;
}

export function addServiceCommands(
  app: JupyterFrontEnd,
  opts: { services: ServicesModel; trans: TranslationBundle; palette: ICommandPalette | null }
): void {
  const { services, trans } = opts;
  const { commands } = app;

  const launch = async (type: string): Promise<void> => {
    try {
      const kind = (await services.kinds()).find(k => k.type === type);
      if (!kind) {
        Notification.error(trans.__('This server has no %1 services.', type));
        return;
      }
      await launchService(services, kind, commands, trans);
    } catch (e) {
      Notification.error(describeError(e), { autoClose: false });
    }
  };

  commands.addCommand(CommandIDs.newService, {
    label: trans.__('New Forgather Service…'),
    caption: trans.__('Start a long-running service from its dialog'),
    execute: async () => {
      let kinds: ServiceKind[];
      try {
        kinds = await services.kinds();
      } catch (e) {
        Notification.error(describeError(e));
        return;
      }
      const picked = await showDialog<string>({
        title: trans.__('New service'),
        body: new KindPicker(kinds, trans),
        buttons: [Dialog.cancelButton(), Dialog.okButton({ label: trans.__('Next') })]
      });
      if (picked.button.accept && picked.value) {
        await launch(picked.value);
      }
    }
  });

  commands.addCommand(CommandIDs.launchService, {
    label: args =>
      trans.__('New %1 Service…', String(args.label ?? args.type ?? trans.__('Forgather'))),
    execute: args => launch(String(args.type ?? ''))
  });

  commands.addCommand(CommandIDs.openDocs, {
    label: trans.__('Open Docs'),
    caption: trans.__("A docs job's MkDocs site, in a tab"),
    execute: args => {
      const jobId = String(args.jobId ?? '');
      if (!jobId) {
        return;
      }
      const id = `forgather-docs-${jobId}`;
      let tab = Array.from(app.shell.widgets('main')).find(w => w.id === id);
      if (!tab) {
        tab = new DocsTab(jobId, String(args.label ?? trans.__('Docs %1', jobId)));
        app.shell.add(tab, 'main');
      }
      app.shell.activateById(id);
    }
  });

  opts.palette?.addItem({ command: CommandIDs.newService, category: 'Forgather' });
  for (const [type, label] of KNOWN) {
    opts.palette?.addItem({
      command: CommandIDs.launchService,
      args: { type, label },
      category: 'Forgather'
    });
  }
}
