/**
 * "Open Server Config" (palette): the Jupyter server's jupyter_server_config.py.
 *
 * `POST /server-config` creates the file from a commented template of every
 * `c.ForgatherLab.*` setting if it is missing (never overwriting it) and says
 * where it is. When it lies under the server's root_dir outside hidden
 * folders, JupyterLab's own editor opens it (`docmanager:open`); otherwise
 * (the usual `~/.jupyter`, which the contents API cannot reach) a small
 * editor tab reads and saves it through `GET` / `PUT /server-config/content`.
 */
import { type JupyterFrontEnd } from '@jupyterlab/application';
import {
  type ICommandPalette,
  MainAreaWidget,
  Notification,
  showErrorMessage,
  ToolbarButton
} from '@jupyterlab/apputils';
import { type ITranslator, nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { type ForgatherClient } from './client';
import { forgatherIcon } from './icons';
import { CommandIDs } from './commands';

/** The command's id (to move into `CommandIDs` of commands.ts). */

/** The editor tab for a config file JupyterLab cannot open itself. */
export class ServerConfigEditor extends MainAreaWidget<Widget> {
  constructor(
    private readonly _client: ForgatherClient,
    readonly path: string,
    private readonly _trans: TranslationBundle
  ) {
    const content = new Widget();
    content.addClass('jp-forgather-server-config');
    super({ content });
    this.id = 'forgather-server-config';
    this.title.label = 'jupyter_server_config.py';
    this.title.caption = path;
    this.title.icon = forgatherIcon;
    this.title.closable = true;
    this._area = document.createElement('textarea');
    this._area.className = 'jp-forgather-server-config-text jp-mod-styled';
    this._area.spellcheck = false;
    this._area.setAttribute('aria-label', this._trans.__('Server config file'));
    this._area.style.width = '100%';
    this._area.style.height = '100%';
    this._area.style.fontFamily = 'var(--jp-code-font-family)';
    this._area.style.fontSize = 'var(--jp-code-font-size)';
    this._area.addEventListener('input', () => this._setDirty(true));
    this._area.addEventListener('keydown', event => {
      if ((event.ctrlKey || event.metaKey) && event.key === 's') {
        event.preventDefault();
        void this.save();
      }
    });
    content.node.appendChild(this._area);
    this.toolbar.addItem(
      'save',
      new ToolbarButton({
        label: this._trans.__('Save'),
        tooltip: this._trans.__('Save (the server reads it when it restarts)'),
        onClick: () => void this.save()
      })
    );
  }

  /** Load the file's text. */
  async load(): Promise<void> {
    const reply = await this._client.api.get('server-config/content');
    this._area.value = reply.content;
    this._setDirty(false);
  }

  /** Write the text back (the server refuses what is not text). */
  async save(): Promise<void> {
    try {
      await this._client.api.put('server-config/content', {
        body: { content: this._area.value }
      });
      this._setDirty(false);
      Notification.success(this._trans.__('Saved %1: restart the server to apply it', this.path), {
        autoClose: 4000
      });
    } catch (error) {
      await showErrorMessage(
        this._trans.__('Could not save the server config'),
        error instanceof Error ? error.message : String(error)
      );
    }
  }

  private _setDirty(dirty: boolean): void {
    this.title.className = dirty ? 'jp-mod-dirty' : '';
    this.node.dataset.dirty = dirty ? 'true' : 'false';
  }

  private readonly _area: HTMLTextAreaElement;
}

/** Register "Open Server Config" (no network call until it runs). */
export function setupServerConfig(
  app: JupyterFrontEnd,
  opts: {
    client: ForgatherClient;
    palette: ICommandPalette | null;
    translator: ITranslator | null;
  }
): void {
  const trans = (opts.translator ?? nullTranslator).load('forgather_lab');
  let editor: ServerConfigEditor | null = null;
  app.commands.addCommand(CommandIDs.openServerConfig, {
    label: trans.__('Open Server Config'),
    caption: trans.__(
      'Edit jupyter_server_config.py (created with every Forgather Lab setting, commented out)'
    ),
    execute: async () => {
      try {
        const where = await opts.client.api.post('server-config');
        if (where.created) {
          Notification.info(trans.__('Created %1 from the template', where.path), {
            autoClose: 4000
          });
        }
        if (where.lab_path) {
          await app.commands.execute('docmanager:open', { path: where.lab_path });
          return;
        }
        if (!editor || editor.isDisposed) {
          editor = new ServerConfigEditor(opts.client, where.path, trans);
          await editor.load();
          app.shell.add(editor, 'main');
        }
        app.shell.activateById(editor.id);
      } catch (error) {
        await showErrorMessage(
          trans.__('Could not open the server config'),
          error instanceof Error ? error.message : String(error)
        );
      }
    }
  });
  opts.palette?.addItem({ command: CommandIDs.openServerConfig, category: 'Forgather' });
}
