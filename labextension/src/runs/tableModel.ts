/**
 * A config's Runs table: the rows of `GET /runs` (one per job of the
 * config), sorted and filtered as the user asks, and which rows are
 * selected for Compare. The table renders it and calls its setters.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import type { RunRow } from '../client/runs';
import { text } from './params';

/** A column to sort by: a field of the row, or `metric:<name>` (its last value). */
export type SortKey = 'name' | 'status' | 'created_at' | 'duration' | 'attempt' | string;

/** The value a row sorts by (null sorts last either way). */
export function sortValue(row: RunRow, key: SortKey): number | string | null {
  if (key.startsWith('metric:')) {
    return row.metrics[key.slice('metric:'.length)]?.last ?? null;
  }
  switch (key) {
    case 'name':
      return row.name.toLowerCase();
    case 'status':
      return row.status;
    case 'duration':
      return row.duration ?? null;
    case 'attempt':
      return row.attempt;
    default:
      return row.created_at;
  }
}

/** The text a filter matches: name, id, status, owner and `arg=value` of each dynamic arg. */
export function searchText(row: RunRow): string {
  const args = Object.entries(row.dynamic_args ?? {}).map(([k, v]) => `${k}=${text(v)}`);
  return [row.name, row.id, row.status, row.owner ?? '', ...args].join(' ').toLowerCase();
}

export class RunsTableModel {
  constructor(
    readonly client: ForgatherClient,
    readonly projectDir: string,
    readonly config: string | null
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get error(): string | null {
    return this._error;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  /** Every metric name of any row. */
  get metricKeys(): string[] {
    return this._metricKeys;
  }

  get sort(): { key: SortKey; descending: boolean } {
    return this._sort;
  }

  /** Sort by `key`; the same key again flips the direction. */
  sortBy(key: SortKey): void {
    this._sort =
      this._sort.key === key
        ? { key, descending: !this._sort.descending }
        : { key, descending: key === 'created_at' };
    this._changed.emit();
  }

  get filter(): string {
    return this._filter;
  }

  set filter(value: string) {
    this._filter = value;
    this._changed.emit();
  }

  /** The rows shown: filtered (every word must match), then sorted. */
  get rows(): RunRow[] {
    const words = this._filter.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = this._rows.filter(r => {
      const hay = searchText(r);
      return words.every(w => hay.includes(w));
    });
    const { key, descending } = this._sort;
    const sign = descending ? -1 : 1;
    return rows.sort((a, b) => {
      const x = sortValue(a, key);
      const y = sortValue(b, key);
      if (x === y) {
        return 0;
      }
      if (x === null) {
        return 1;
      }
      if (y === null) {
        return -1;
      }
      return (x < y ? -1 : 1) * sign;
    });
  }

  get total(): number {
    return this._rows.length;
  }

  isSelected(id: string): boolean {
    return this._selected.has(id);
  }

  toggle(id: string, on?: boolean): void {
    if (on ?? !this._selected.has(id)) {
      this._selected.add(id);
    } else {
      this._selected.delete(id);
    }
    this._changed.emit();
  }

  /** Selected ids, in the table's order. */
  get selected(): string[] {
    return this.rows.map(r => r.id).filter(id => this._selected.has(id));
  }

  clearSelection(): void {
    this._selected.clear();
    this._changed.emit();
  }

  async load(): Promise<void> {
    try {
      const list = await this.client.runs.list(this.projectDir, this.config);
      this._rows = list.runs;
      this._metricKeys = list.metric_keys;
      const ids = new Set(this._rows.map(r => r.id));
      this._selected.forEach(id => ids.has(id) || this._selected.delete(id));
      this._error = null;
    } catch (error) {
      this._error = describeError(error);
    }
    this._loaded = true;
    this._changed.emit();
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _rows: RunRow[] = [];
  private _metricKeys: string[] = [];
  private _sort: { key: SortKey; descending: boolean } = { key: 'created_at', descending: true };
  private _filter = '';
  private _selected = new Set<string>();
  private _error: string | null = null;
  private _loaded = false;
  private _changed = new Signal<this, void>(this);
}
