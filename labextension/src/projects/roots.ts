/**
 * Search roots, workspaces and "Clean Output…": the Projects header's "⋯" menu
 * (Add / Remove Search Root, New Workspace) and the output-dir clean-up.
 */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, InputDialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Menu, Widget } from '@lumino/widgets';

import { describeError } from '../client';
import type { AddSearchRoot, CreateWorkspace, SearchRoot } from '../client/schemas';
import { CommandIDs } from '../commands';
import { field, input } from '../jobs/forms';
import { type ProjectsModel } from './model';

function select(options: [string, string][]): HTMLSelectElement {
  const el = document.createElement('select');
  for (const [value, label] of options) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    el.append(o);
  }
  return el;
}

class AddRootForm extends Widget implements Dialog.IBodyWidget<AddSearchRoot> {
  constructor() {
    super({ node: document.createElement('form') });
    this.addClass('jp-forgather-form');
    this.node.setAttribute('aria-label', 'Add search root');
    this._path = field(
      this.node,
      'Directory',
      input('text', ''),
      'Absolute, or relative to the server root'
    ) as HTMLInputElement;
    this._create = input('checkbox', '');
    field(this.node, 'Create it if missing', this._create);
  }
  getValue(): AddSearchRoot {
    return { path: this._path.value.trim(), create: this._create.checked };
  }
  private _path: HTMLInputElement;
  private _create: HTMLInputElement;
}

class PickForm extends Widget implements Dialog.IBodyWidget<string> {
  constructor(label: string, options: [string, string][]) {
    super({ node: document.createElement('form') });
    this.addClass('jp-forgather-form');
    this.node.setAttribute('aria-label', label);
    this._select = field(this.node, label, select(options)) as HTMLSelectElement;
  }
  getValue(): string {
    return this._select.value;
  }
  private _select: HTMLSelectElement;
}

class NewWorkspaceForm extends Widget implements Dialog.IBodyWidget<CreateWorkspace> {
  constructor(roots: SearchRoot[]) {
    super({ node: document.createElement('form') });
    this.addClass('jp-forgather-form');
    this.node.setAttribute('aria-label', 'New workspace');
    this._root = field(
      this.node,
      'Parent (a search root)',
      select(roots.filter(r => r.exists).map(r => [r.path, r.lab_path ?? r.path]))
    ) as HTMLSelectElement;
    this._name = field(this.node, 'Name', input('text', '')) as HTMLInputElement;
    this._description = field(this.node, 'Description', input('text', '')) as HTMLInputElement;
  }
  getValue(): CreateWorkspace {
    return {
      parent_dir: this._root.value,
      name: this._name.value.trim(),
      description: this._description.value.trim()
    };
  }
  private _root: HTMLSelectElement;
  private _name: HTMLInputElement;
  private _description: HTMLInputElement;
}

async function ask<T>(title: string, body: Dialog.IBodyWidget<T>, ok: string): Promise<T | null> {
  const result = await showDialog<T>({
    title,
    body,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: ok })],
    focusNodeSelector: 'input, select'
  });
  return result.button.accept ? result.value : null;
}

/**
 * Register the commands; returns the header menu's opener.
 * `target()` gives the data-* of the tree row a context menu was opened on.
 */
export function setupRoots(
  app: JupyterFrontEnd,
  model: ProjectsModel,
  target: () => DOMStringMap
): (anchor: HTMLElement) => void {
  const { commands } = app;
  const api = model.client.projects;
  const guarded = (title: string, fn: () => Promise<void>) => async (): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      void showErrorMessage(title, describeError(error));
    }
  };

  commands.addCommand(CommandIDs.projectsAddRoot, {
    label: 'Add Search Root…',
    execute: guarded('Could not add the search root', async () => {
      const v = await ask('Add search root', new AddRootForm(), 'Add');
      if (v?.path) {
        await api.addSearchRoot(v);
        await model.refresh();
      }
    })
  });
  commands.addCommand(CommandIDs.projectsRemoveRoot, {
    label: 'Remove Search Root…',
    execute: guarded('Could not remove the search root', async () => {
      const roots = (await api.searchRoots()).filter(r => r.source === 'user');
      if (roots.length === 0) {
        throw new Error(
          'There is no search root you added (roots from the server configuration stay).'
        );
      }
      const path = await ask(
        'Remove search root',
        new PickForm(
          'Search root',
          roots.map(r => [r.path, r.lab_path ?? r.path])
        ),
        'Remove'
      );
      if (path) {
        await api.removeSearchRoot(path);
        await model.refresh();
      }
    })
  });
  commands.addCommand(CommandIDs.projectsNewWorkspace, {
    label: 'New Workspace…',
    execute: guarded('Could not create the workspace', async () => {
      const roots = await api.searchRoots();
      const v = await ask('New workspace', new NewWorkspaceForm(roots), 'Create');
      if (v?.name && v.parent_dir) {
        await api.newWorkspace(v);
        await model.refresh();
      }
    })
  });
  commands.addCommand(CommandIDs.projectsCleanOutput, {
    label: 'Clean Output…',
    caption: "Delete this config's output directory (runs, checkpoints, evaluations)",
    execute: guarded('Could not clean the output directory', async () => {
      const t = target();
      let dir = t.kind === 'output-group' ? t.path : undefined;
      if (t.kind === 'config' && t.project && t.config) {
        const out = await api.outputDir({ project_dir: t.project, config: t.config });
        if (!out.output_dir || !out.exists) {
          throw new Error('This config has no output directory on disk: nothing to clean.');
        }
        dir = out.output_dir;
      }
      if (!dir) {
        return;
      }
      const token = dir.replace(/\/+$/, '').split('/').pop() ?? dir;
      const answer = await InputDialog.getText({
        title: 'Clean output directory',
        label: `This deletes ${dir} and every run, checkpoint and evaluation under it. Type "${token}" to confirm.`,
        okLabel: 'Delete'
      });
      if (!answer.button.accept) {
        return;
      }
      if (answer.value !== token) {
        throw new Error(`You typed "${answer.value ?? ''}", not "${token}": nothing was deleted.`);
      }
      await api.deletePath(dir, true);
      await model.refresh();
    })
  });

  const menu = new Menu({ commands });
  menu.addClass('jp-forgather-projects-menu');
  menu.addItem({ command: CommandIDs.projectsAddRoot });
  menu.addItem({ command: CommandIDs.projectsRemoveRoot });
  menu.addItem({ type: 'separator' });
  menu.addItem({ command: CommandIDs.projectsNewWorkspace });
  menu.addItem({ type: 'separator' });
  menu.addItem({ command: CommandIDs.projectsRefresh });

  for (const [selector, rank] of [
    ['.jp-forgather-tree-node[data-kind="config"]', 8],
    ['.jp-forgather-tree-node[data-kind="output-group"]', 8]
  ] as const) {
    app.contextMenu.addItem({ command: CommandIDs.projectsCleanOutput, selector, rank });
  }
  app.contextMenu.addItem({
    command: CommandIDs.projectsNewWorkspace,
    selector: '.jp-forgather-tree',
    rank: 19
  });
  app.contextMenu.addItem({
    command: CommandIDs.projectsAddRoot,
    selector: '.jp-forgather-tree',
    rank: 19
  });

  return (anchor: HTMLElement) => {
    const r = anchor.getBoundingClientRect();
    menu.open(r.left, r.bottom);
  };
}
