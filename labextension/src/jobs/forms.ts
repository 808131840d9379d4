/**
 * Dialog bodies: plain labelled form fields (so screen readers and role
 * locators find them by label), read back by `getValue()` as a job request:
 * one job, or a sweep when a dynamic argument was given a list of values.
 */
import { type Dialog } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { ICreateClusterJob } from '../client/clusterJobs';
import type { CreateJob, DynamicArg } from '../client/schemas';
import { FormError, SchedulingFields, parseList, parseValue } from './schedulingFields';

/**
 * What an enqueue dialog asks for: one job, or, with a `grid` (dynamic
 * argument → values), one job per point of it (`POST /queue/sweep`).
 */
export interface IJobRequest {
  job: CreateJob;
  grid: Record<string, unknown[]> | null;
  /** Cluster mode, several nodes picked: `POST /cluster/jobs` instead of the queue. */
  cluster?: ICreateClusterJob | null;
}

/**
 * Where a Run goes in cluster mode (cluster/runPlacement.ts builds it): a
 * node for `POST /queue`, or several nodes for one multi-node job.
 */
export interface INodePlacement {
  /** Whether several nodes are picked (a multi-node job). */
  readonly multi: boolean;
  /** Set the job's `node`. */
  apply(job: CreateJob): CreateJob;
  /** The multi-node job's body; throws FormError for a field that cannot be sent. */
  request(job: CreateJob): ICreateClusterJob;
  /** Show the server's refusal in the form (null clears it). */
  showError(message: string | null): void;
}

/** Builds the placement fields into the form (`gpus`: the form's default). */
export type NodePlacementFactory = (
  parent: HTMLElement,
  gpus: number,
  onMulti: (on: boolean) => void
) => INodePlacement;

let counter = 0;

/** A labelled input appended to `parent`; returns the input. */
export function field(
  parent: HTMLElement,
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  help = ''
): HTMLInputElement | HTMLSelectElement {
  const row = document.createElement('div');
  row.className = 'jp-forgather-form-row';
  const id = `jp-forgather-field-${++counter}`;
  const lab = document.createElement('label');
  lab.htmlFor = id;
  lab.textContent = label;
  input.id = id;
  input.classList.add('jp-mod-styled');
  row.append(lab, input);
  if (help) {
    const small = document.createElement('small');
    small.textContent = help;
    row.append(small);
  }
  parent.append(row);
  return input;
}

export function input(type: string, value: string, attrs: Record<string, string> = {}) {
  const el = document.createElement('input');
  el.type = type;
  el.value = value;
  for (const [k, v] of Object.entries(attrs)) {
    el.setAttribute(k, v);
  }
  return el;
}

/** Split a command line like a POSIX shell would for simple quoting. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? ''));
  }
  return out;
}

/** GPUs, priority and name: asked by every enqueue dialog. */
export class PlacementFields {
  constructor(
    parent: HTMLElement,
    trans: TranslationBundle,
    name = '',
    gpus: number | null = 0,
    priority = 0
  ) {
    this.gpus = field(
      parent,
      trans.__('GPUs'),
      input('number', gpus === null ? '' : String(gpus), {
        min: '0',
        placeholder: trans.__("the config's")
      })
    );
    this.priority = field(
      parent,
      trans.__('Priority'),
      input('number', String(priority)),
      trans.__('Higher runs first')
    );
    this.name = field(parent, trans.__('Name'), input('text', name));
  }

  apply(body: CreateJob): CreateJob {
    if (this.gpus.value.trim() !== '') {
      body.requested_gpus = Math.max(0, parseInt(this.gpus.value, 10) || 0);
    }
    body.priority = parseInt(this.priority.value, 10) || 0;
    if (this.name.value.trim()) {
      body.name = this.name.value.trim();
    }
    return body;
  }

  readonly gpus: HTMLInputElement | HTMLSelectElement;
  readonly priority: HTMLInputElement | HTMLSelectElement;
  readonly name: HTMLInputElement | HTMLSelectElement;
}

/** "New Command Job" / "Queue as Forgather job": argv, cwd, placement. */
export class CommandJobForm extends Widget implements Dialog.IBodyWidget<IJobRequest> {
  constructor(
    trans: TranslationBundle,
    init: { command?: string; cwd?: string; name?: string; priority?: number }
  ) {
    super({ node: document.createElement('form') });
    this.addClass('jp-forgather-form');
    this.node.setAttribute('aria-label', trans.__('Command job'));
    this._command = field(this.node, trans.__('Command'), input('text', init.command ?? ''));
    this._command.setAttribute('placeholder', 'python train.py --epochs 3');
    this._cwd = field(
      this.node,
      trans.__('Working directory'),
      input('text', init.cwd ?? ''),
      trans.__('Relative to the server root; empty for the root')
    );
    this._placement = new PlacementFields(this.node, trans, init.name ?? '', 0, init.priority);
    this._scheduling = new SchedulingFields(this.node, trans);
    this._trans = trans;
  }

  getValue(): IJobRequest {
    const params: Record<string, unknown> = { argv: splitArgs(this._command.value) };
    if (this._cwd.value.trim()) {
      params.cwd = this._cwd.value.trim();
    }
    const job = this._placement.apply({
      job_type: 'command',
      job_params: params,
      requested_gpus: 0,
      priority: 0
    });
    return { job: this._scheduling.apply(job, this._trans), grid: null };
  }

  private _command: HTMLInputElement | HTMLSelectElement;
  private _cwd: HTMLInputElement | HTMLSelectElement;
  private _placement: PlacementFields;
  private _scheduling: SchedulingFields;
  private _trans: TranslationBundle;
}

/**
 * A dynamic argument's field with a "sweep" switch: on, the field takes a
 * comma-separated list of values (a choice list lets several be picked).
 */
class ArgField {
  constructor(
    parent: HTMLElement,
    trans: TranslationBundle,
    readonly arg: DynamicArg,
    value: unknown
  ) {
    let el: HTMLInputElement | HTMLSelectElement;
    if (arg.type === 'bool' || arg.action) {
      el = input('checkbox', '');
      (el as HTMLInputElement).checked = Boolean(value);
    } else if (arg.choices && arg.choices.length) {
      el = document.createElement('select');
      for (const choice of arg.choices) {
        const opt = document.createElement('option');
        opt.value = opt.textContent = String(choice);
        el.append(opt);
      }
      el.value = String(value ?? '');
    } else {
      const numeric = arg.type === 'int' || arg.type === 'float';
      el = input(
        numeric ? 'number' : 'text',
        value === null || value === undefined ? '' : String(value)
      );
      if (arg.type === 'float') {
        el.setAttribute('step', 'any');
      }
    }
    this.el = field(parent, arg.name, el, arg.help ?? '');
    this._numberType = el instanceof HTMLInputElement ? el.type : '';
    if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      return; // a flag: true or false, nothing to sweep
    }
    const toggle = document.createElement('label');
    toggle.className = 'jp-forgather-sweep-toggle';
    this.sweep = input('checkbox', '');
    this.sweep.setAttribute('aria-label', trans.__('Sweep %1', arg.name));
    toggle.append(this.sweep, ` ${trans.__('sweep: a list of values')}`);
    this.el.parentElement?.append(toggle);
    this.sweep.addEventListener('change', () => this._setSweep(trans));
  }

  readonly el: HTMLInputElement | HTMLSelectElement;
  readonly sweep: HTMLInputElement | null = null;

  /** Whether the field holds a list of values. */
  get swept(): boolean {
    return this.sweep?.checked ?? false;
  }

  /** The value (or the values, when swept); undefined when left empty. */
  value(): unknown {
    const { arg, el } = this;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      return el.checked;
    }
    if (this.swept) {
      if (el instanceof HTMLSelectElement) {
        if (el.selectedOptions.length === 0) {
          throw new FormError(`${arg.name}: pick the values to sweep`);
        }
        return Array.from(el.selectedOptions, o => parseValue(arg.name, arg.type, o.value));
      }
      return parseList(arg.name, arg.type, el.value);
    }
    if (el.value === '') {
      return undefined;
    }
    return arg.type === 'int' || arg.type === 'float'
      ? parseValue(arg.name, arg.type, el.value)
      : el.value;
  }

  private _setSweep(trans: TranslationBundle): void {
    const { el } = this;
    if (el instanceof HTMLSelectElement) {
      el.multiple = this.swept;
      return;
    }
    // A number field cannot hold "0.1, 0.3": the list is typed as text.
    el.type = this.swept ? 'text' : this._numberType;
    el.placeholder = this.swept ? trans.__('values, comma-separated: 0.001, 0.0003') : '';
    // To the field from its switch only: a change handled late must not take the
    // focus from the field being typed in now (the keys would land in this one).
    if (document.activeElement === this.sweep) {
      el.focus();
    }
  }

  private _numberType: string;
}

/** What Run queues for a config: its job type (from its class) and declared workers. */
export interface IRunKind {
  jobType: 'training' | 'eval';
  nprocPerNode: number | string | null;
  /**
   * GPUs the server reserves when the request does not say (the config's `job.gpus`,
   * else at least one when it has usable GPUs): the GPUs field starts there.
   */
  defaultGpus?: number | null;
}

/**
 * The "Run" form of a training or evaluation config, generated from its
 * dynamic_args; any argument can be swept (a list of values: one job per
 * combination). It shows the config's `nproc_per_node` and warns when the
 * GPUs asked for would not match a fixed worker count.
 */
export class RunConfigForm extends Widget implements Dialog.IBodyWidget<IJobRequest> {
  constructor(
    trans: TranslationBundle,
    readonly projectDir: string,
    readonly config: string,
    args: DynamicArg[],
    values: Record<string, unknown>,
    priority = 0,
    readonly kind: IRunKind = { jobType: 'training', nprocPerNode: null },
    placement: NodePlacementFactory | null = null
  ) {
    super({ node: document.createElement('form') });
    this.addClass('jp-forgather-form');
    this.node.setAttribute('aria-label', trans.__('Run %1', config));
    for (const arg of args) {
      const value = arg.name in values ? values[arg.name] : arg.default;
      this._fields.push(new ArgField(this.node, trans, arg, value));
    }
    const gpus = kind.defaultGpus ?? null;
    this._placement = new PlacementFields(this.node, trans, '', gpus, priority);
    const nproc = kind.nprocPerNode;
    if (nproc !== null) {
      const info = document.createElement('small');
      info.className = 'jp-forgather-nproc';
      info.textContent =
        gpus === null
          ? trans.__('The config runs nproc_per_node: %1', String(nproc))
          : trans._n(
              'The config runs nproc_per_node: %2; by default it takes %1 GPU here',
              'The config runs nproc_per_node: %2; by default it takes %1 GPUs here',
              gpus,
              String(nproc)
            );
      const warning = document.createElement('small');
      warning.className = 'jp-forgather-nproc-mismatch';
      warning.setAttribute('role', 'status');
      const check = () => {
        const asked = parseInt(this._placement.gpus.value.trim(), 10);
        // 0 GPUs is a CPU run, which any worker count can do.
        const mismatch = typeof nproc === 'number' && asked > 0 && asked !== nproc;
        warning.textContent = mismatch
          ? trans._n(
              '%1 GPU for %2 workers: each worker expects a GPU of its own',
              '%1 GPUs for %2 workers: each worker expects a GPU of its own',
              asked,
              nproc
            )
          : '';
      };
      this._placement.gpus.addEventListener('input', check);
      this._placement.gpus.parentElement?.append(info, warning);
      check();
    }
    const gpuRow = this._placement.gpus.parentElement;
    this.nodes = placement
      ? placement(this.node, gpus ?? (typeof nproc === 'number' ? nproc : 1), on => {
          // Several nodes: each says its own GPUs; queue-only fields do not apply.
          // (`style`, not `hidden`: the form's rows set their own `display`.)
          if (gpuRow) {
            gpuRow.style.display = on ? 'none' : '';
          }
          this._scheduling.details.style.display = on ? 'none' : '';
        })
      : null;
    this._scheduling = new SchedulingFields(this.node, trans);
    this._trans = trans;
  }

  /** The dynamic arguments of the last `getValue()` (saved as the config's overrides). */
  usedValues: Record<string, unknown> = {};

  /** Cluster mode: where it runs (null standalone). */
  readonly nodes: INodePlacement | null;

  /** Whether the form asks for a multi-node job (the dialog then submits it itself). */
  get multiNode(): boolean {
    return this.nodes?.multi ?? false;
  }

  showError(message: string | null): void {
    this.nodes?.showError(message);
  }

  getValue(): IJobRequest {
    const dynamic: Record<string, unknown> = {};
    const grid: Record<string, unknown[]> = {};
    for (const f of this._fields) {
      const value = f.value();
      if (value === undefined) {
        continue;
      }
      if (f.swept && Array.isArray(value) && value.length > 1) {
        grid[f.arg.name] = value;
      } else {
        // A list of one value is that value.
        dynamic[f.arg.name] = Array.isArray(value) && f.swept ? value[0] : value;
      }
    }
    this.usedValues = dynamic;
    const job = this._placement.apply({
      job_type: this.kind.jobType,
      project_dir: this.projectDir,
      config: this.config,
      dynamic_args: dynamic,
      priority: 0
    });
    const swept = Object.keys(grid).length ? grid : null;
    if (this.nodes?.multi) {
      if (swept) {
        throw new FormError(this._trans.__('A multi-node job runs one point: sweep on one node'));
      }
      return { job, grid: null, cluster: this.nodes.request(job) };
    }
    return {
      job: this._scheduling.apply(this.nodes ? this.nodes.apply(job) : job, this._trans),
      grid: swept
    };
  }

  private _fields: ArgField[] = [];
  private _placement: PlacementFields;
  private _scheduling: SchedulingFields;
  private _trans: TranslationBundle;
}
