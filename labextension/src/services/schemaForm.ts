/**
 * A launch dialog's body generated from a service kind's parameter schema
 * (`GET /services/kinds`, services/forms.py): one labelled field per
 * property (text, number, checkbox, choice, a list one item per line, a path
 * with its hint), then the service's own name, GPUs, priority and whether
 * it starts now. The values are remembered per kind (`LaunchMemory`) and
 * "Reset to defaults" puts the schema's defaults back.
 */
import { type Dialog } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { Schemas } from '../client/core';
import type { UpsertService } from '../client/schemas';

/** A service kind with its launch dialog's schema (`GET /services/kinds`). */
export type ServiceKind = Schemas['ServiceKind'];

/** One property of the flat schema the server sends. */
export interface IFieldSchema {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array';
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: { type: string; format?: string };
}

/** The flat schema of a kind's parameters. */
export interface IParamsSchema {
  type: 'object';
  description?: string;
  properties: Record<string, IFieldSchema>;
  required?: string[];
}

/** What a launch dialog holds: the args and the service's own settings. */
export interface ILaunchValues {
  name: string;
  enabled: boolean;
  priority: number;
  requested_gpus: number;
  args: Record<string, unknown>;
}

/** A value that cannot be sent, naming its field. */
export class LaunchFormError extends Error {}

/** The schema of a kind, typed. */
export function paramsSchema(kind: ServiceKind): IParamsSchema {
  const schema = kind.schema as Partial<IParamsSchema>;
  return {
    type: 'object',
    description: schema.description,
    properties: schema.properties ?? {},
    required: schema.required ?? []
  };
}

/** The values a fresh dialog of `kind` shows. */
export function defaultValues(kind: ServiceKind): ILaunchValues {
  const args: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(paramsSchema(kind).properties)) {
    if (field.default !== undefined && field.default !== null) {
      args[name] = field.default;
    }
  }
  return {
    name: kind.type.replace(/_/g, '-'),
    enabled: true,
    priority: 0,
    requested_gpus: kind.requested_gpus,
    args
  };
}

/** The last values a kind's dialog was submitted with, in this browser. */
export class LaunchMemory {
  constructor(private readonly _storage: Storage | null = safeStorage()) {}

  load(kind: ServiceKind): ILaunchValues {
    const base = defaultValues(kind);
    const raw = this._storage?.getItem(this._key(kind.type));
    if (!raw) {
      return base;
    }
    try {
      const saved = JSON.parse(raw) as Partial<ILaunchValues>;
      // Only the fields this kind still has: a renamed field falls back to its default.
      const known = paramsSchema(kind).properties;
      const args = Object.fromEntries(
        Object.entries(saved.args ?? {}).filter(([name]) => name in known)
      );
      return {
        name: typeof saved.name === 'string' ? saved.name : base.name,
        enabled: typeof saved.enabled === 'boolean' ? saved.enabled : base.enabled,
        priority: typeof saved.priority === 'number' ? saved.priority : base.priority,
        requested_gpus:
          typeof saved.requested_gpus === 'number' ? saved.requested_gpus : base.requested_gpus,
        args: { ...base.args, ...args }
      };
    } catch {
      return base;
    }
  }

  save(type: string, values: ILaunchValues): void {
    this._storage?.setItem(this._key(type), JSON.stringify(values));
  }

  forget(type: string): void {
    this._storage?.removeItem(this._key(type));
  }

  private _key(type: string): string {
    return `forgather-lab:launch:${type}`;
  }
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // a sandboxed or private window: nothing is remembered
  }
}

let counter = 0;

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function row(parent: HTMLElement, label: string, control: Control, help: string): Control {
  const div = document.createElement('div');
  div.className = 'jp-forgather-form-row';
  const id = `jp-forgather-launch-${++counter}`;
  const lab = document.createElement('label');
  lab.htmlFor = id;
  lab.textContent = label;
  control.id = id;
  control.classList.add('jp-mod-styled');
  div.append(lab, control);
  if (help) {
    const small = document.createElement('small');
    small.textContent = help;
    div.append(small);
  }
  parent.append(div);
  return control;
}

function textInput(type: string): HTMLInputElement {
  const el = document.createElement('input');
  el.type = type;
  return el;
}

/** One generated field: builds its control, sets and reads its value. */
class SchemaField {
  constructor(
    parent: HTMLElement,
    trans: TranslationBundle,
    readonly name: string,
    readonly schema: IFieldSchema,
    readonly required: boolean
  ) {
    const label = (schema.title ?? name) + (required ? ' *' : '');
    let help = schema.description ?? '';
    const isPath = schema.format === 'path' || schema.items?.format === 'path';
    if (isPath) {
      help = [help, trans.__('A path on the server: absolute, or relative to the project')]
        .filter(Boolean)
        .join('. ');
    }
    let control: Control;
    if (schema.type === 'boolean') {
      control = textInput('checkbox');
    } else if (schema.enum && schema.enum.length) {
      control = document.createElement('select');
      for (const choice of schema.enum) {
        const opt = document.createElement('option');
        opt.value = opt.textContent = String(choice);
        control.append(opt);
      }
    } else if (schema.type === 'array') {
      control = document.createElement('textarea');
      control.rows = 3;
      help = [help, trans.__('One per line')].filter(Boolean).join('. ');
    } else if (schema.type === 'number' || schema.type === 'integer') {
      control = textInput('number');
      control.step = schema.type === 'integer' ? '1' : 'any';
      const min = schema.minimum ?? schema.exclusiveMinimum;
      if (min !== undefined) {
        control.min = String(min);
      }
      if (schema.maximum !== undefined) {
        control.max = String(schema.maximum);
      }
    } else {
      control = textInput('text');
    }
    if (isPath) {
      control.dataset.format = 'path';
      control.setAttribute('placeholder', trans.__('/path/on/the/server'));
    }
    this.control = row(parent, label, control, help);
    this.control.dataset.field = name;
  }

  readonly control: Control;

  set(value: unknown): void {
    const c = this.control;
    if (c instanceof HTMLInputElement && c.type === 'checkbox') {
      c.checked = Boolean(value);
    } else if (Array.isArray(value)) {
      c.value = value.map(String).join('\n');
    } else {
      c.value = value === undefined || value === null ? '' : String(value);
    }
  }

  /** The value to send; undefined when left empty (the server's default applies). */
  get(): unknown {
    const c = this.control;
    if (c instanceof HTMLInputElement && c.type === 'checkbox') {
      return c.checked;
    }
    const text = c.value.trim();
    if (this.schema.type === 'array') {
      const items = c.value
        .split('\n')
        .map(s => s.trim())
        .filter(Boolean);
      return items.length ? items : undefined;
    }
    if (!text) {
      return undefined;
    }
    if (this.schema.type === 'number' || this.schema.type === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n) || (this.schema.type === 'integer' && !Number.isInteger(n))) {
        throw new LaunchFormError(`${this.schema.title ?? this.name}: ${text} is not a number`);
      }
      return n;
    }
    return text;
  }
}

/** The body of a launch dialog; `getValue()` is the service to create. */
export class LaunchForm extends Widget implements Dialog.IBodyWidget<UpsertService> {
  constructor(
    readonly kind: ServiceKind,
    private readonly _memory: LaunchMemory,
    trans: TranslationBundle
  ) {
    super({ node: document.createElement('form') });
    this.addClass('jp-forgather-form');
    this.addClass('jp-forgather-launch');
    this.node.dataset.kind = kind.type;
    this.node.setAttribute('aria-label', trans.__('%1 service', kind.label));
    const schema = paramsSchema(kind);
    if (schema.description) {
      const p = document.createElement('p');
      p.className = 'jp-forgather-launch-description';
      p.textContent = schema.description;
      this.node.append(p);
    }
    const required = new Set(schema.required ?? []);
    for (const [name, field] of Object.entries(schema.properties)) {
      this._fields.push(new SchemaField(this.node, trans, name, field, required.has(name)));
    }
    const meta = document.createElement('fieldset');
    meta.className = 'jp-forgather-launch-meta';
    const legend = document.createElement('legend');
    legend.textContent = trans.__('Service');
    meta.append(legend);
    this.node.append(meta);
    this._name = row(
      meta,
      trans.__('Service name'),
      textInput('text'),
      trans.__('Letters, digits, - and _; the same name replaces that service')
    ) as HTMLInputElement;
    this._gpus = row(meta, trans.__('GPUs'), textInput('number'), '') as HTMLInputElement;
    this._gpus.min = '0';
    this._priority = row(
      meta,
      trans.__('Priority'),
      textInput('number'),
      trans.__('Higher runs first')
    ) as HTMLInputElement;
    this._enabled = row(
      meta,
      trans.__('Start now'),
      textInput('checkbox'),
      trans.__('Off: saved, started later from the Services list')
    ) as HTMLInputElement;

    const actions = document.createElement('div');
    actions.className = 'jp-forgather-form-actions';
    const reset = document.createElement('button');
    reset.type = 'button';
    reset.className = 'jp-mod-styled jp-mod-reject jp-forgather-launch-reset';
    reset.textContent = trans.__('Reset to defaults');
    reset.addEventListener('click', () => {
      this._memory.forget(kind.type);
      this.fill(defaultValues(kind));
    });
    actions.append(reset);
    this.node.append(actions);
    // Enter in a field must not submit the page's form.
    this.node.addEventListener('submit', e => e.preventDefault());
    this.fill(this._memory.load(kind));
  }

  /** Put `values` in the fields. */
  fill(values: ILaunchValues): void {
    for (const f of this._fields) {
      f.set(values.args[f.name] ?? (f.schema.type === 'boolean' ? false : undefined));
    }
    this._name.value = values.name;
    this._gpus.value = String(values.requested_gpus);
    this._priority.value = String(values.priority);
    this._enabled.checked = values.enabled;
  }

  /** The service to create; remembers the values first, so a refused one reopens as typed. */
  getValue(): UpsertService {
    const args: Record<string, unknown> = {};
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const f of this._fields) {
      try {
        const value = f.get();
        if (value !== undefined) {
          args[f.name] = value;
          raw[f.name] = value;
        } else if (f.required) {
          problems.push(`${f.schema.title ?? f.name} is required`);
        }
      } catch (e) {
        problems.push(e instanceof Error ? e.message : String(e));
        raw[f.name] = f.control.value;
      }
    }
    const values: ILaunchValues = {
      name: this._name.value.trim(),
      enabled: this._enabled.checked,
      priority: parseInt(this._priority.value, 10) || 0,
      requested_gpus: Math.max(0, parseInt(this._gpus.value, 10) || 0),
      args: raw
    };
    this._memory.save(this.kind.type, values);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(values.name)) {
      problems.push('Service name: letters, digits, - and _ only (at most 64)');
    }
    if (problems.length) {
      throw new LaunchFormError(problems.join('; '));
    }
    return {
      type: this.kind.type,
      name: values.name,
      enabled: values.enabled,
      priority: values.priority,
      requested_gpus: values.requested_gpus,
      args
    };
  }

  private _fields: SchemaField[] = [];
  private _name: HTMLInputElement;
  private _gpus: HTMLInputElement;
  private _priority: HTMLInputElement;
  private _enabled: HTMLInputElement;
}
