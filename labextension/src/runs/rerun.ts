/**
 * The "Re-run…" dialog body: the job's dynamic args, priority, GPUs and
 * name, pre-filled from the job, read back as the changes of
 * `POST /jobs/{id}/rerun` (only what the user changed is sent; the server
 * merges dynamic args over the original's).
 */
import { type Dialog } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { RerunJob } from '../client/runs';
import type { DescribeJob } from '../client/schemas';
import { PlacementFields, field, input } from '../jobs/forms';
import { text } from './params';

type Input = HTMLInputElement | HTMLSelectElement;

/** The dynamic args a job was queued with (config jobs; `{}` for the rest). */
export function dynamicArgsOf(job: DescribeJob): Record<string, unknown> {
  const d = (job.params ?? {}).dynamic_args;
  return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
}

/**
 * A field's text back as the type the original value had (JSON for lists
 * and objects). Never throws: a number field left empty keeps the original,
 * text that is not JSON stays text (the server's 400 then says what is wrong).
 */
export function parseLike(original: unknown, raw: string): unknown {
  if (typeof original === 'number') {
    const n = Number(raw);
    return raw.trim() === '' || !isFinite(n) ? original : n;
  }
  if (typeof original === 'string') {
    return raw;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export class RerunForm extends Widget implements Dialog.IBodyWidget<RerunJob> {
  constructor(
    readonly job: DescribeJob,
    trans: TranslationBundle
  ) {
    super({ node: document.createElement('form') });
    this.addClass('jp-forgather-form');
    this.addClass('jp-forgather-rerun-form');
    this.node.setAttribute('aria-label', trans.__('Re-run %1', job.name));
    const note = document.createElement('p');
    note.className = 'jp-forgather-muted';
    this._args = dynamicArgsOf(job);
    const names = Object.keys(this._args);
    note.textContent = names.length
      ? trans.__('The same config again, with these dynamic args:')
      : job.params?.project_dir
        ? trans.__('The same config again (it was queued with no dynamic args).')
        : trans.__('The same command again, in the same directory and environment.');
    this.node.append(note);
    for (const name of names) {
      const value = this._args[name];
      let el: Input;
      if (typeof value === 'boolean') {
        el = input('checkbox', '');
        (el as HTMLInputElement).checked = value;
      } else {
        el = input(typeof value === 'number' ? 'number' : 'text', text(value));
        if (typeof value === 'number') {
          el.setAttribute('step', 'any');
        }
      }
      this._fields.push([name, field(this.node, name, el)]);
    }
    this._placement = new PlacementFields(
      this.node,
      trans,
      job.name,
      job.requested_gpus,
      job.priority
    );
  }

  /** The changes: only what differs from the job. */
  getValue(): RerunJob {
    const body: RerunJob = {};
    const changed: Record<string, unknown> = {};
    for (const [name, el] of this._fields) {
      const before = this._args[name];
      const after =
        el instanceof HTMLInputElement && el.type === 'checkbox'
          ? el.checked
          : parseLike(before, el.value);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        changed[name] = after;
      }
    }
    if (Object.keys(changed).length) {
      body.dynamic_args = changed;
    }
    const gpus = this._placement.gpus.value.trim();
    if (gpus !== '' && parseInt(gpus, 10) !== this.job.requested_gpus) {
      body.requested_gpus = Math.max(0, parseInt(gpus, 10) || 0);
    }
    const priority = parseInt(this._placement.priority.value, 10) || 0;
    if (priority !== this.job.priority) {
      body.priority = priority;
    }
    const name = this._placement.name.value.trim();
    if (name && name !== this.job.name) {
      body.name = name;
    }
    return body;
  }

  private _args: Record<string, unknown>;
  private _fields: [string, Input][] = [];
  private _placement: PlacementFields;
}
