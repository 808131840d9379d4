/**
 * Forgather Lab: the JupyterLab plugin.
 *
 * Activation only builds widgets and registers commands; it makes no network
 * call, so JupyterLab never waits on the Forgather API to start.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { ForgatherClient } from './client';
import { CommandIDs } from './commands';
import { forgatherIcon } from './icons';
import { ForgatherModel } from './model';
import { ForgatherPanel } from './panel';
import { setupProjects } from './projects';
import { projectsSection } from './projects/tree';
import { setupJobs } from './jobs/setup';
import { setupChat } from './chat';
import { setupCluster } from './cluster';
import { setupEvaluate } from './evaluate';
import { setupDatasets } from './datasets';
import { setupNotebookJobs } from './notebookJobs';
import { setupRuns } from './runs/setup';
import { setupServerConfig } from './serverConfig';
import { setupExternalJobs } from './externalJobs';
import { ForgatherSettings } from './settings';
import { labTransport } from './transport';

const PLUGIN_ID = 'forgather-lab:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Queue, watch and steer ML training on a GPU pool.',
  autoStart: true,
  optional: [
    ICommandPalette,
    ILayoutRestorer,
    IRenderMimeRegistry,
    IStatusBar,
    ITranslator,
    IDefaultFileBrowser,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    rendermime: IRenderMimeRegistry | null,
    statusBar: IStatusBar | null,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    // The one client every model shares; building it makes no request.
    const client = new ForgatherClient(labTransport());
    const settings = new ForgatherSettings();
    if (settingRegistry) {
      // Not awaited: the defaults apply until the user's settings have loaded.
      settings.follow(settingRegistry, PLUGIN_ID).catch((error: unknown) => {
        console.warn('Forgather: could not load the settings; using the defaults', error);
      });
    }
    const model = new ForgatherModel(client);
    const projects = setupProjects(app, rendermime, client);
    const { jobs, sections: jobSections } = setupJobs(app, {
      palette,
      restorer,
      statusBar,
      translator,
      fileBrowser,
      client,
      settings,
      openPanel: () => app.shell.activateById('forgather-panel')
    });
    setupRuns(app, { client, jobs, restorer, palette, translator });
    setupNotebookJobs(app, { client, jobs, fileBrowser, translator });
    setupServerConfig(app, { client, palette, translator });
    setupExternalJobs(app, { client, palette, translator });
    setupEvaluate(app, {
      client,
      jobs,
      palette,
      trans: (translator ?? nullTranslator).load('forgather_lab')
    });
    const panel = new ForgatherPanel(model, [
      projectsSection(projects.model, projects.actions),
      ...jobSections,
      ...setupCluster({ client, translator, settingRegistry, pluginId: PLUGIN_ID }),
      ...setupChat(app, { palette, restorer, rendermime, translator, fileBrowser, client, jobs }),
      ...setupDatasets(app, { client, palette, restorer, translator })
    ]);
    app.shell.add(panel, 'left', { rank: 850 });
    restorer?.add(panel, 'forgather-panel');

    app.commands.addCommand(CommandIDs.openPanel, {
      label: 'Open the Forgather Panel',
      caption: 'Show the Forgather sidebar',
      icon: forgatherIcon,
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh Forgather',
      execute: () => model.refresh()
    });
    palette?.addItem({ command: CommandIDs.openPanel, category: 'Forgather' });
    palette?.addItem({ command: CommandIDs.refresh, category: 'Forgather' });
  }
};

export default plugin;
