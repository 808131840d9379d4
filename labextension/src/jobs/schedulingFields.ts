/**
 * The "Advanced" part of every enqueue dialog (time limit, GPU memory,
 * dependencies, preemption, retries) and the parsing of what people type
 * there and in a swept argument ("0.001, 0.0003"). Parse errors are thrown
 * as `FormError`, naming the field, and shown before anything is sent.
 */
import { type TranslationBundle } from '@jupyterlab/translation';

import type { CreateJob } from '../client/schemas';

/** A field's value that cannot be sent; the dialog says so and queues nothing. */
export class FormError extends Error {}

const UNITS: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600, d: 86400 };

/**
 * Seconds from "90", "90s", "30m", "2h", "1h30m" or "1.5h"; null for an
 * empty text; NaN when it is none of these.
 */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!t) {
    return null;
  }
  if (/^\d+(\.\d+)?$/.test(t)) {
    return Number(t);
  }
  const re = /(\d+(?:\.\d+)?)(min|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    if (m.index !== consumed) {
      return NaN;
    }
    total += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1);
    consumed = re.lastIndex;
  }
  return consumed === t.length && consumed > 0 ? total : NaN;
}

/** Job ids from "3f2a, 9c1e 77aa": commas or spaces between. */
export function parseIds(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map(s => s.trim())
    .filter(Boolean);
}

/** A value of a dynamic argument of `type`, from text; throws FormError for a bad number. */
export function parseValue(name: string, type: string | null | undefined, text: string): unknown {
  if (type === 'int' || type === 'float') {
    const value = Number(text);
    if (text.trim() === '' || !isFinite(value) || (type === 'int' && !Number.isInteger(value))) {
      throw new FormError(
        `${name}: ${JSON.stringify(text)} is not ${type === 'int' ? 'a whole number' : 'a number'}`
      );
    }
    return value;
  }
  if (type === 'bool') {
    if (/^(true|yes|1|on)$/i.test(text.trim())) {
      return true;
    }
    if (/^(false|no|0|off)$/i.test(text.trim())) {
      return false;
    }
    throw new FormError(`${name}: ${JSON.stringify(text)} is not true or false`);
  }
  return text;
}

/** The values of a swept argument: comma-separated, each parsed as the argument's type. */
export function parseList(name: string, type: string | null | undefined, text: string): unknown[] {
  const parts = text
    .split(',')
    .map(s => s.trim())
    .filter(s => s !== '');
  if (parts.length === 0) {
    throw new FormError(`${name}: give the values to sweep, comma-separated`);
  }
  return parts.map(p => parseValue(name, type, p));
}

/** A labelled row of the Advanced part. */
function row(parent: HTMLElement, label: string, el: HTMLInputElement, help: string): void {
  const div = document.createElement('div');
  div.className = 'jp-forgather-form-row';
  const id = `jp-forgather-adv-${++counter}`;
  const lab = document.createElement('label');
  lab.htmlFor = id;
  lab.textContent = label;
  el.id = id;
  el.classList.add('jp-mod-styled');
  div.append(lab, el);
  if (help) {
    const small = document.createElement('small');
    small.textContent = help;
    div.append(small);
  }
  parent.append(div);
}

let counter = 0;

function textInput(placeholder: string, type = 'text'): HTMLInputElement {
  const el = document.createElement('input');
  el.type = type;
  el.placeholder = placeholder;
  return el;
}

/** Time limit, GPU memory, depends on, preemptible, max retries: in a collapsed "Advanced". */
export class SchedulingFields {
  constructor(parent: HTMLElement, trans: TranslationBundle) {
    const details = document.createElement('details');
    details.className = 'jp-forgather-advanced';
    const summary = document.createElement('summary');
    summary.textContent = trans.__('Advanced');
    details.append(summary);
    const body = document.createElement('div');
    body.className = 'jp-forgather-advanced-body';
    details.append(body);
    parent.append(details);
    this.details = details;

    this.timeLimit = textInput(trans.__('none'));
    row(
      body,
      trans.__('Time limit'),
      this.timeLimit,
      trans.__('Seconds, or 30m, 2h, 1h30m; past it the job is saved, stopped and fails')
    );
    this.gpuMemory = textInput(trans.__('whole cards'), 'number');
    this.gpuMemory.min = '1';
    row(
      body,
      trans.__('GPU memory (MiB per GPU)'),
      this.gpuMemory,
      trans.__('Jobs that declare it share a card while their declarations fit')
    );
    this.dependsOn = textInput('3f2a9c1e, 77aa01b2');
    row(
      body,
      trans.__('Depends on'),
      this.dependsOn,
      trans.__('Job ids that must end done first (commas or spaces between)')
    );
    this.preemptible = textInput('', 'checkbox');
    row(
      body,
      trans.__('Preemptible'),
      this.preemptible,
      trans.__('A higher-priority job may checkpoint-stop this one and requeue it')
    );
    this.maxRetries = textInput('0', 'number');
    this.maxRetries.min = '0';
    row(body, trans.__('Max retries'), this.maxRetries, trans.__('Requeue after a failure'));
  }

  /** Add what was filled in to `body`; throws FormError for a value that cannot be sent. */
  apply(body: CreateJob, trans: TranslationBundle): CreateJob {
    const limit = parseDuration(this.timeLimit.value);
    if (limit !== null) {
      if (!isFinite(limit) || limit <= 0) {
        throw new FormError(
          trans.__('Time limit: %1 is not a duration (90, 30m, 2h)', this.timeLimit.value)
        );
      }
      body.time_limit = limit;
    }
    const memory = this.gpuMemory.value.trim();
    if (memory) {
      const mib = Number(memory);
      if (!Number.isInteger(mib) || mib < 1) {
        throw new FormError(trans.__('GPU memory: %1 is not a whole number of MiB', memory));
      }
      body.gpu_memory = mib;
    }
    const ids = parseIds(this.dependsOn.value);
    if (ids.length) {
      body.depends_on = ids;
    }
    if (this.preemptible.checked) {
      body.preemptible = true;
    }
    const retries = this.maxRetries.value.trim();
    if (retries) {
      const n = Number(retries);
      if (!Number.isInteger(n) || n < 0) {
        throw new FormError(trans.__('Max retries: %1 is not a whole number ≥ 0', retries));
      }
      body.max_retries = n;
    }
    return body;
  }

  readonly details: HTMLDetailsElement;
  readonly timeLimit: HTMLInputElement;
  readonly gpuMemory: HTMLInputElement;
  readonly dependsOn: HTMLInputElement;
  readonly preemptible: HTMLInputElement;
  readonly maxRetries: HTMLInputElement;
}
