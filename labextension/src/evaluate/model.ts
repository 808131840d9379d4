/**
 * The evaluations of one output directory (`GET /model/evaluations`) as a
 * table: one row per evaluation, one column per metric any of them reports.
 * An eval job writes `<output_dir>/evaluations/<name>/results.json`
 * (docs/project-format.md#evaluation-results): numbers and short strings
 * are cells; long text (a generated sample) and lists of per-sample rows
 * are shown under the table.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import type { Evaluation } from '../client/schemas';

/** Results fields that describe the evaluation rather than measure it. */
const DESCRIPTIVE = new Set(['checkpoint', 'at', 'samples', 'per_sample']);
/** Text longer than this is not a cell. */
const CELL_TEXT = 40;

export interface IEvalTable {
  columns: string[];
  rows: Array<{ name: string; when: number; cells: Record<string, string>; extra: IExtra[] }>;
}

/** What does not fit a cell: long text, or per-sample records. */
export interface IExtra {
  key: string;
  text?: string;
  samples?: Array<Record<string, unknown>>;
}

function cell(value: unknown): string | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(5).replace(/\.?0+$/, '');
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'string' && value.length <= CELL_TEXT) {
    return value;
  }
  return null;
}

/** The table of `evaluations` (newest first). */
export function evalTable(evaluations: Evaluation[]): IEvalTable {
  const columns: string[] = [];
  const rows: IEvalTable['rows'] = [];
  const sorted = [...evaluations].sort((a, b) => b.modified_at - a.modified_at);
  for (const ev of sorted) {
    const results = (ev.results ?? {}) as Record<string, unknown>;
    const cells: Record<string, string> = {};
    const extra: IExtra[] = [];
    for (const [key, value] of Object.entries(results)) {
      if (Array.isArray(value) && value.every(v => v !== null && typeof v === 'object')) {
        extra.push({ key, samples: value as Array<Record<string, unknown>> });
        continue;
      }
      const text = DESCRIPTIVE.has(key) ? null : cell(value);
      if (text !== null) {
        cells[key] = text;
        if (!columns.includes(key)) {
          columns.push(key);
        }
      } else if (typeof value === 'string' && key !== 'checkpoint') {
        extra.push({ key, text: value });
      }
    }
    if (typeof results.checkpoint === 'string') {
      cells.checkpoint = results.checkpoint.split('/').pop() ?? results.checkpoint;
    }
    rows.push({ name: ev.name, when: ev.modified_at, cells, extra });
  }
  if (rows.some(r => 'checkpoint' in r.cells)) {
    columns.unshift('checkpoint');
  }
  return { columns, rows };
}

export class EvaluationsModel {
  constructor(
    readonly client: ForgatherClient,
    readonly outputDir: string
  ) {}

  table: IEvalTable | null = null;
  error: string | null = null;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  async refresh(): Promise<void> {
    try {
      this.table = evalTable(
        (await this.client.projects.outputs('evaluations', this.outputDir)) as Evaluation[]
      );
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
}
