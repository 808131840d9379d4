/**
 * What a Compare view shows: the runs' records, their curves (downsampled
 * by the server, `GET /metrics/compare`) and the user's choices (which
 * metric, step or wall-time axis, smoothing, log scale). Views render it and
 * set its choices; it asks the server again, on a Lumino Poll, while any run
 * is still going. Nothing of JupyterLab, so the notebook's `Compare` widget
 * shares it.
 *
 * On the wall-time axis the server answers each point's recorded time (unix
 * seconds); `curves()` draws it as the seconds since the run's first point
 * (over every metric of the run), so runs made hours apart line up at their
 * start, as one compares runs.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import { type CompareAxis } from '../client/runs';
import { type DescribeJob, TERMINAL } from '../client/schemas';
import { type ICurve } from './chart';
import { type IParamRow, paramRows, summary } from './params';
import { type Points } from './smooth';

export interface ICompareOptions {
  /** Points per curve asked of the server. */
  maxPoints?: number;
  /** Only these metrics (default: every metric of each run). */
  keys?: string[];
  /** How often to ask again while a run is going (ms). */
  interval?: number;
}

export type { CompareAxis };

/**
 * Points of one reporter batch can share a time (the server stamps a batch
 * when it arrives): each is drawn this much after the one before, so the
 * chart keeps every point of the batch instead of the last one per x.
 */
const SAME_TIME_NUDGE_S = 1e-6;

/** `points` as seconds since `origin`, strictly increasing (see `SAME_TIME_NUDGE_S`). */
export function relativeTimes(points: Points, origin: number): Points {
  let last = -Infinity;
  return points.map(([t, v]) => {
    const x = Math.max(t - origin, last + SAME_TIME_NUDGE_S);
    last = x;
    return [x, v] as const;
  });
}

/** The metric drawn first: loss if a run has it, else the first name. */
export function preferredKey(keys: readonly string[]): string | null {
  return keys.includes('loss') ? 'loss' : (keys[0] ?? null);
}

export class CompareModel {
  constructor(
    readonly client: ForgatherClient,
    readonly jobIds: readonly string[],
    readonly options: ICompareOptions = {}
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The runs' records, in the order asked for (those that exist). */
  get jobs(): DescribeJob[] {
    return this.jobIds.map(id => this._jobs.get(id)).filter((j): j is DescribeJob => !!j);
  }

  /** Every metric any run reported, loss first, then by name. */
  get keys(): string[] {
    return this._keys;
  }

  /** The metric drawn. */
  get key(): string | null {
    return this._key;
  }

  set key(key: string | null) {
    if (key !== this._key) {
      this._key = key;
      this._changed.emit();
    }
  }

  /** TensorBoard's smoothing weight (0: none). */
  get smoothing(): number {
    return this._smoothing;
  }

  set smoothing(value: number) {
    const v = Math.max(0, Math.min(0.99, value));
    if (v !== this._smoothing) {
      this._smoothing = v;
      this._changed.emit();
    }
  }

  get logScale(): boolean {
    return this._logScale;
  }

  set logScale(value: boolean) {
    if (value !== this._logScale) {
      this._logScale = value;
      this._changed.emit();
    }
  }

  /** What the x axis is: the step, or the wall time since each run's first point. */
  get axis(): CompareAxis {
    return this._axis;
  }

  set axis(value: CompareAxis) {
    if (value !== this._axis) {
      this._axis = value;
      // The other axis' points are not drawn meanwhile: they would lie about x.
      this._series = new Map();
      this._loaded = false;
      this._changed.emit();
      void this.refresh();
    }
  }

  /** Wall-time axis: run id → metrics some of whose points had no recorded time. */
  get untimed(): Readonly<Record<string, string[]>> {
    return this._untimed;
  }

  /** Ids asked for that the server does not know. */
  get missing(): string[] {
    return this._missing;
  }

  get error(): string | null {
    return this._error;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  /** The curves of `key` (default: the drawn one), one per run that has points. */
  curves(key: string | null = this._key): ICurve[] {
    if (key === null) {
      return [];
    }
    return this.jobs.map(job => {
      const points = this._series.get(job.id)?.get(key) ?? [];
      return {
        id: job.id,
        label: job.name === job.id ? job.id : `${job.name} (${job.id})`,
        points:
          this._axis === 'time' ? relativeTimes(points, this._starts.get(job.id) ?? 0) : points
      };
    });
  }

  /** Wall-time axis: when a run's first point was recorded (unix seconds), if it has one. */
  startOf(jobId: string): number | undefined {
    return this._starts.get(jobId);
  }

  /** The points of one run's metric. */
  points(jobId: string, key: string): Points {
    return this._series.get(jobId)?.get(key) ?? [];
  }

  /** last / min / max of each run, for `key`. */
  summaries(key: string | null = this._key): Map<string, ReturnType<typeof summary>> {
    const out = new Map<string, ReturnType<typeof summary>>();
    for (const job of this.jobs) {
      out.set(job.id, key === null ? null : summary(this.points(job.id, key)));
    }
    return out;
  }

  /** The parameters table (rows with differing values flagged). */
  params(): IParamRow[] {
    return paramRows(this.jobs);
  }

  /** Load now, then again while a run is going (standby when hidden). */
  start(): void {
    if (this._poll || this._disposed) {
      return;
    }
    this._poll = new Poll({
      factory: () => this.refresh(),
      frequency: { interval: this.options.interval ?? 5000, backoff: true, max: 60000 },
      standby: 'when-hidden',
      name: 'forgather:compare'
    });
  }

  async refresh(): Promise<void> {
    if (this._disposed) {
      return;
    }
    const axis = this._axis;
    try {
      const [records, compare] = await Promise.all([
        Promise.all(this.jobIds.map(id => this.client.jobs.get(id).catch(() => null))),
        this.client.runs.compare(this.jobIds, {
          keys: this.options.keys,
          maxPoints: this.options.maxPoints ?? 1000,
          axis
        })
      ]);
      if (axis !== this._axis) {
        return; // the axis changed meanwhile: the refresh that asked for the new one draws
      }
      records.forEach(job => job && this._jobs.set(job.id, job));
      const names = new Set<string>();
      this._series = new Map();
      this._starts = new Map();
      for (const [id, byKey] of Object.entries(compare.series)) {
        const curves = new Map<string, Points>();
        for (const [name, points] of Object.entries(byKey)) {
          curves.set(name, points);
          if (points.length) {
            names.add(name);
            const first = points[0]?.[0] ?? Infinity;
            this._starts.set(id, Math.min(first, this._starts.get(id) ?? Infinity));
          }
        }
        this._series.set(id, curves);
      }
      this._untimed = compare.untimed ?? {};
      this._keys = [...names].sort((a, b) =>
        a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)
      );
      if (this._key === null || !names.has(this._key)) {
        this._key = preferredKey(this._keys);
      }
      this._missing = compare.missing ?? [];
      this._error = null;
    } catch (error) {
      this._error = describeError(error);
    }
    this._loaded = true;
    if (this._disposed) {
      return;
    }
    // Nothing more will come once every run has ended.
    if (this._poll && this.jobs.length && this.jobs.every(j => TERMINAL.has(j.status))) {
      this._poll.dispose();
      this._poll = null;
    }
    this._changed.emit();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll?.dispose();
    Signal.clearData(this);
  }

  private _jobs = new Map<string, DescribeJob>();
  private _series = new Map<string, Map<string, Points>>();
  private _keys: string[] = [];
  private _key: string | null = null;
  private _smoothing = 0;
  private _logScale = false;
  private _axis: CompareAxis = 'step';
  private _starts = new Map<string, number>();
  private _untimed: Record<string, string[]> = {};
  private _missing: string[] = [];
  private _error: string | null = null;
  private _loaded = false;
  private _disposed = false;
  private _poll: Poll | null = null;
  private _changed = new Signal<this, void>(this);
}
