/**
 * "Queue on GPU…": the notebook's parameters (prefilled from its
 * `parameters` cell), where the executed copy goes, GPUs and priority.
 */
import { type Dialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { CreateJob } from '../client/schemas';
import { PlacementFields, field, input } from '../jobs/forms';
import { type INotebookParameter, readValue, showValue } from './parameters';

/** What the dialog asks the server for, and where the Lab will find the result. */
export interface INotebookJobRequest {
  job: CreateJob;
  /** The output as sent (relative to the server root, `{job_id}` not yet replaced), or null. */
  output: string | null;
}

/** The default output: next to the notebook, one file per job. */
export function defaultOutput(path: string): string {
  const dir = PathExt.dirname(path);
  const stem = PathExt.basename(path, '.ipynb');
  return PathExt.join(dir, `${stem}-{job_id}.ipynb`);
}

export class NotebookJobForm extends Widget implements Dialog.IBodyWidget<INotebookJobRequest> {
  constructor(
    trans: TranslationBundle,
    readonly path: string,
    readonly parameters: INotebookParameter[] | null,
    priority = 0
  ) {
    super({ node: document.createElement('form') });
    this.addClass('jp-forgather-form');
    this.addClass('jp-forgather-notebook-job-form');
    this.node.setAttribute('aria-label', trans.__('Queue %1', PathExt.basename(path)));
    const intro = document.createElement('p');
    intro.className = 'jp-forgather-form-intro';
    intro.textContent =
      parameters === null
        ? trans.__(
            'No cell of this notebook is tagged "parameters": the values below go in a new first cell.'
          )
        : trans.__(
            'Defaults from the cell tagged "parameters". Only the values you change are injected, in a cell after it.'
          );
    this.node.append(intro);
    for (const p of parameters ?? []) {
      const el = field(
        this.node,
        p.name,
        input('text', showValue(p), p.kind === 'expression' ? { placeholder: p.source } : {}),
        p.kind === 'expression'
          ? trans.__('default: %1 (an expression; type a value to replace it)', p.source)
          : trans.__('default: %1', p.source)
      );
      this._fields.push([p, el]);
    }
    if (parameters === null || parameters.length === 0) {
      this._json = field(
        this.node,
        trans.__('Parameters (JSON)'),
        input('text', '', { placeholder: '{"lr": 0.0003, "epochs": 2}' }),
        trans.__('A JSON object: name → value')
      );
    }
    this._output = field(
      this.node,
      trans.__('Save executed notebook as'),
      input('text', defaultOutput(path)),
      trans.__(
        "Under the server root; {job_id} becomes the job's id. Empty: kept with the job's log only"
      )
    );
    this._placement = new PlacementFields(this.node, trans, PathExt.basename(path), 0, priority);
    this._trans = trans;
  }

  getValue(): INotebookJobRequest {
    const parameters: Record<string, unknown> = {};
    for (const [p, el] of this._fields) {
      const text = el.value;
      if (text === showValue(p) || (p.kind === 'expression' && !text.trim())) {
        continue; // unchanged: the notebook's own default stands
      }
      parameters[p.name] = readValue(text, p.kind);
    }
    if (this._json && this._json.value.trim()) {
      let extra: unknown;
      try {
        extra = JSON.parse(this._json.value);
      } catch (error) {
        throw new Error(this._trans.__('Parameters (JSON): %1', String(error)));
      }
      if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
        throw new Error(this._trans.__('Parameters (JSON) must be an object: {"name": value}'));
      }
      Object.assign(parameters, extra);
    }
    const output = this._output.value.trim() || null;
    const params: Record<string, unknown> = { notebook: this.path, parameters };
    if (output) {
      params.output = output;
    }
    const job = this._placement.apply({
      job_type: 'notebook',
      job_params: params,
      requested_gpus: 0,
      priority: 0
    } as CreateJob);
    return { job, output };
  }

  private _fields: Array<[INotebookParameter, HTMLInputElement | HTMLSelectElement]> = [];
  private _json: HTMLInputElement | HTMLSelectElement | null = null;
  private _output: HTMLInputElement | HTMLSelectElement;
  private _placement: PlacementFields;
  private _trans: TranslationBundle;
}
