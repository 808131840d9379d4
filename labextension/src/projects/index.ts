/**
 * Wiring of the Projects feature: commands, context menus and the config view.
 * `setupProjects` is called once from the plugin's activate(); it makes no
 * network call (the tree loads when the sidebar section first renders).
 */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, type MainAreaWidget, showErrorMessage } from '@jupyterlab/apputils';
import { type IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { type ForgatherClient, describeError } from '../client';
import type { OutputItem, OutputKind } from '../client/projects';
import type { Checkpoint, Run } from '../client/schemas';
import { CommandIDs } from '../commands';
import { ConfigViewModel, OverridesModel } from './configModel';
import { type ConfigView, createConfigView } from './configView';
import { createDetailsView } from './details';
import { ProjectsModel } from './model';
import { editOverrides } from './overrides';
import { setupRoots } from './roots';
import { type ITreeActions } from './tree';

const ROW = '.jp-forgather-tree-node';

export interface IProjectsFeature {
  model: ProjectsModel;
  actions: ITreeActions;
}

export function setupProjects(
  app: JupyterFrontEnd,
  rendermime: IRenderMimeRegistry | null,
  client: ForgatherClient
): IProjectsFeature {
  const model = new ProjectsModel(client);
  const api = client.projects;
  const views = new Map<string, MainAreaWidget<ConfigView>>();
  const { commands } = app;

  const openFile = (labPath: string | null): void => {
    if (labPath === null) {
      void showErrorMessage('Cannot open', 'This file is outside the Jupyter root directory.');
      return;
    }
    void commands.execute('docmanager:open', { path: labPath });
  };

  const openConfig = (projectDir: string, config: string): void => {
    const key = `${projectDir}\u0000${config}`;
    let view = views.get(key);
    if (!view || view.isDisposed) {
      view = createConfigView({
        model: new ConfigViewModel(client, { project_dir: projectDir, config }),
        rendermime,
        openFile,
        editOverrides: () =>
          void commands.execute(CommandIDs.projectsEditOverrides, { projectDir, config }),
        run: () => void commands.execute(CommandIDs.runConfig, { projectDir, config })
      });
      views.set(key, view);
      app.shell.add(view, 'main');
    }
    app.shell.activateById(view.id);
  };

  /** The tree row the context menu was opened on. */
  const target = (): DOMStringMap => {
    const node = app.contextMenuHitTest(n => n.matches(ROW));
    return node?.dataset ?? {};
  };

  const guarded = (fn: () => Promise<void>) => async (): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      void showErrorMessage('Forgather', describeError(error));
    }
  };

  commands.addCommand(CommandIDs.projectsRefresh, {
    label: 'Refresh Projects',
    execute: () => model.refresh()
  });
  commands.addCommand(CommandIDs.projectsOpenConfig, {
    label: 'Open Config View',
    execute: args => {
      const t = target();
      const projectDir = (args.projectDir as string) ?? t.project;
      const config = (args.config as string) ?? t.config;
      if (projectDir && config) {
        openConfig(projectDir, config);
      }
    }
  });
  commands.addCommand(CommandIDs.projectsOpenFile, {
    label: 'Open in Editor',
    execute: () => openFile(target().labPath ?? null)
  });
  commands.addCommand(CommandIDs.projectsNewProject, {
    label: 'New Project…',
    execute: guarded(async () => {
      const ws = target().path;
      const name = (await InputDialog.getText({ title: 'New project', label: 'Name' })).value;
      if (ws && name) {
        await api.newProject({ workspace_dir: ws, name });
        await model.refresh();
      }
    })
  });
  for (const [id, kind, label] of [
    [CommandIDs.projectsNewConfig, 'config', 'New Config…'],
    [CommandIDs.projectsNewTemplate, 'template', 'New Template…']
  ] as const) {
    commands.addCommand(id, {
      label,
      execute: guarded(async () => {
        const projectDir = target().path;
        const name = (
          await InputDialog.getText({
            title: label.replace('…', ''),
            label: 'File name (.yaml is added; a/b.yaml makes folders)'
          })
        ).value;
        if (projectDir && name) {
          const made = await api.newTemplate({ project_dir: projectDir, kind, name });
          await model.refresh();
          openFile(made.lab_path);
        }
      })
    });
  }
  commands.addCommand(CommandIDs.projectsDuplicateConfig, {
    label: 'Duplicate Config…',
    execute: guarded(async () => {
      const labPath = target().labPath;
      if (!labPath) {
        throw new Error('This config is outside the Jupyter root directory.');
      }
      const slash = labPath.lastIndexOf('/');
      const dir = labPath.slice(0, slash + 1);
      const stem = labPath.slice(slash + 1).replace(/\.ya?ml$/, '');
      const name = (
        await InputDialog.getText({
          title: 'Duplicate config',
          label: 'New file name',
          text: `${stem}_copy.yaml`
        })
      ).value;
      if (!name) {
        return;
      }
      const contents = app.serviceManager.contents;
      const source = await contents.get(labPath, { content: true, type: 'file', format: 'text' });
      const dest = dir + name;
      const exists = await contents.get(dest, { content: false }).then(
        () => true,
        () => false
      );
      if (exists) {
        throw new Error(`${dest} already exists`);
      }
      await contents.save(dest, {
        type: 'file',
        format: 'text',
        content: source.content as string
      });
      await model.refresh();
    })
  });
  commands.addCommand(CommandIDs.projectsDelete, {
    label: () => 'Delete Permanently…',
    execute: guarded(async () => {
      const t = target();
      const isConfig = t.kind === 'config';
      const file = isConfig ? `${t.project}/${t.configPrefix}/${t.config}` : t.path;
      if (!file) {
        return;
      }
      const token = file.split('/').pop() ?? file;
      const answer = await InputDialog.getText({
        title: `Delete ${t.kind ?? 'item'} permanently`,
        label: `This deletes ${file}${isConfig ? '' : ' and everything under it'}. Type "${token}" to confirm.`,
        okLabel: 'Delete'
      });
      if (!answer.button.accept || answer.value !== token) {
        if (answer.button.accept) {
          throw new Error(
            `You typed "${answer.value ?? ''}", not "${token}": nothing was deleted.`
          );
        }
        return;
      }
      await api.deletePath(file, !isConfig);
      await model.refresh();
    })
  });

  commands.addCommand(CommandIDs.projectsEditOverrides, {
    label: 'Edit Overrides…',
    caption: "Set this config's dynamic_args (kept for every render and run)",
    execute: args => {
      const t = target();
      const projectDir = (args.projectDir as string) ?? t.project;
      const config = (args.config as string) ?? t.config;
      if (!projectDir || !config) {
        return;
      }
      const overrides = new OverridesModel(client, { project_dir: projectDir, config });
      return editOverrides(overrides, () => {
        views.get(`${projectDir}\u0000${config}`)?.content.refresh();
        void model.refresh();
      });
    }
  });

  // A checkpoint folder is a Hugging Face save when it holds a config.json. Only
  // the yes is remembered: a folder still being written may become one.
  const hf = new Set<string>();
  const isHfCheckpoint = async (item: OutputItem): Promise<boolean> => {
    if (hf.has(item.path)) {
      return true;
    }
    if (item.lab_path === null) {
      return false;
    }
    const ok = await app.serviceManager.contents
      .get(`${item.lab_path}/config.json`, { content: false })
      .then(
        () => true,
        () => false
      );
    if (ok) {
      hf.add(item.path);
    }
    return ok;
  };

  const details = new Map<string, MainAreaWidget>();
  const openOutput = (group: OutputKind, item: OutputItem): void => {
    if (group === 'evaluations') {
      openFile(item.lab_path);
      return;
    }
    let view = details.get(item.path);
    if (!view || view.isDisposed) {
      const target =
        group === 'runs'
          ? { kind: group, item: item as Run }
          : { kind: group, item: item as Checkpoint };
      view = createDetailsView(
        target,
        {
          openFile,
          isHfCheckpoint,
          serveInference: async ckpt => {
            await commands.execute(CommandIDs.serveInference, { path: ckpt.path });
          }
        },
        client
      );
      details.set(item.path, view);
      app.shell.add(view, 'main');
    }
    app.shell.activateById(view.id);
  };
  const openMenu = setupRoots(app, model, target);

  const menu: [string, string, number][] = [
    [CommandIDs.projectsNewProject, `${ROW}[data-kind="workspace"]`, 1],
    [CommandIDs.projectsNewConfig, `${ROW}[data-kind="project"]`, 1],
    [CommandIDs.projectsNewTemplate, `${ROW}[data-kind="project"]`, 2],
    [CommandIDs.projectsOpenConfig, `${ROW}[data-kind="config"]`, 1],
    [CommandIDs.projectsOpenFile, `${ROW}[data-kind="config"]`, 2],
    [CommandIDs.projectsDuplicateConfig, `${ROW}[data-kind="config"]`, 3],
    [CommandIDs.projectsEditOverrides, `${ROW}[data-kind="config"]`, 4],
    [CommandIDs.projectsDelete, `${ROW}[data-kind="workspace"]`, 9],
    [CommandIDs.projectsDelete, `${ROW}[data-kind="project"]`, 9],
    [CommandIDs.projectsDelete, `${ROW}[data-kind="config"]`, 9],
    [CommandIDs.projectsDelete, `${ROW}[data-kind="output-group"]`, 9],
    [CommandIDs.projectsDelete, `${ROW}[data-kind="output-item"]`, 9],
    [CommandIDs.projectsRefresh, '.jp-forgather-tree', 20]
  ];
  for (const [command, selector, rank] of menu) {
    app.contextMenu.addItem({ command, selector, rank });
  }

  return { model, actions: { openConfig, openFile, openOutput, openMenu, isHfCheckpoint } };
}
