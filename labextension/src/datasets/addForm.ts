/** The "Add dataset server…" dialog body: label, URL and an optional token. */
import { type Dialog } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { CreateDatasetServer } from './api';

function field(parent: HTMLElement, label: string, input: HTMLInputElement): HTMLInputElement {
  const row = document.createElement('label');
  row.className = 'jp-forgather-datasets-field';
  row.textContent = label;
  input.className = 'jp-mod-styled';
  row.appendChild(input);
  parent.appendChild(row);
  return input;
}

export class AddServerForm extends Widget implements Dialog.IBodyWidget<CreateDatasetServer> {
  constructor(trans: TranslationBundle) {
    super();
    this.addClass('jp-forgather-datasets-add');
    const make = (type: string, name: string, placeholder: string): HTMLInputElement => {
      const input = document.createElement('input');
      input.type = type;
      input.name = name;
      input.placeholder = placeholder;
      return input;
    };
    this._label = field(this.node, trans.__('Label'), make('text', 'label', 'My datasets'));
    this._url = field(this.node, trans.__('URL'), make('url', 'url', 'http://127.0.0.1:8500'));
    this._token = field(
      this.node,
      trans.__('Token (optional; kept in a 0600 file on the server)'),
      make('password', 'auth_token', '')
    );
  }

  getValue(): CreateDatasetServer {
    const token = this._token.value.trim();
    return {
      label: this._label.value.trim(),
      url: this._url.value.trim(),
      ...(token ? { auth_token: token } : {})
    };
  }

  private _label: HTMLInputElement;
  private _url: HTMLInputElement;
  private _token: HTMLInputElement;
}
