/**
 * Wiring of the Datasets view: its commands (Open Datasets, Add Dataset
 * Server…), the palette entries, the layout restorer and the sidebar
 * section. Called from `activate()`: it registers only and makes no network
 * call (the model polls once the view is open).
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
import * as React from 'react';

import { type ForgatherClient, describeError } from '../client';
import { forgatherIcon } from '../icons';
import { AddServerForm } from './addForm';
import type { CreateDatasetServer } from './api';
import { DatasetsCommandIDs } from './commands';
import { DatasetsModel } from './model';
import { DatasetsSection } from './section';
import { DatasetsBody, DatasetsView } from './view';

export interface IDatasetsSetupOptions {
  client: ForgatherClient;
  palette: ICommandPalette | null;
  restorer: ILayoutRestorer | null;
  translator: ITranslator | null;
}

/** Register the Datasets commands; returns the sidebar section. */
export function setupDatasets(
  app: JupyterFrontEnd,
  opts: IDatasetsSetupOptions
): Array<() => JSX.Element> {
  const trans = (opts.translator ?? nullTranslator).load('forgather_lab');
  const { commands } = app;
  const tracker = new WidgetTracker<DatasetsView>({ namespace: 'forgather-datasets' });
  let model: DatasetsModel | null = null;

  commands.addCommand(DatasetsCommandIDs.open, {
    label: trans.__('Open Datasets'),
    caption: trans.__('Dataset servers, their datasets, splits and rows'),
    icon: forgatherIcon,
    execute: () => {
      const open = tracker.currentWidget;
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        void open.content.model.refresh();
        return;
      }
      model = new DatasetsModel(opts.client);
      const view = new DatasetsView(
        new DatasetsBody(model, trans, () => void commands.execute(DatasetsCommandIDs.addServer))
      );
      void tracker.add(view);
      app.shell.add(view, 'main');
      app.shell.activateById(view.id);
      model.start();
    }
  });

  commands.addCommand(DatasetsCommandIDs.addServer, {
    label: trans.__('Add Dataset Server…'),
    caption: trans.__('Register a dataset server that runs elsewhere, by URL'),
    execute: async () => {
      const result = await showDialog<CreateDatasetServer>({
        title: trans.__('Add a dataset server'),
        body: new AddServerForm(trans),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.okButton({ label: trans.__('Add') })
        ],
        focusNodeSelector: 'input'
      });
      if (!result.button.accept || result.value === null) {
        return;
      }
      try {
        const target = model ?? new DatasetsModel(opts.client);
        const added = await target.add(result.value);
        Notification.info(trans.__('Added %1 (%2)', added.label, added.status), {
          autoClose: 4000
        });
        await commands.execute(DatasetsCommandIDs.open);
      } catch (error) {
        void showErrorMessage(trans.__('Could not add the dataset server'), describeError(error));
      }
    }
  });

  void opts.restorer?.restore(tracker, {
    command: DatasetsCommandIDs.open,
    name: () => 'datasets'
  });
  opts.palette?.addItem({ command: DatasetsCommandIDs.open, category: 'Forgather' });
  opts.palette?.addItem({ command: DatasetsCommandIDs.addServer, category: 'Forgather' });

  return [() => <DatasetsSection commands={commands} trans={trans} />];
}
