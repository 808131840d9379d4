/**
 * A job's metric series (loss, lr, …), growing as points arrive.
 *
 * Points come from `GET /jobs/{id}/metrics?since_step=N` (only what is new),
 * asked for when the event stream reports progress for the job and, as a
 * fallback, on a Lumino Poll while the job runs. The curves stay within the
 * user's "chart max points": the server downsamples a first load, and the
 * model halves a series that outgrows it. Shared by the Lab's job view and
 * the notebook's `JobView`.
 */
import { Poll, Throttler } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { ForgatherApiError, type ForgatherClient } from '../client';
import type { ForgatherSettings } from '../settings';

/** step → value (null where the job reported NaN or inf). */
export type MetricSeries = Map<number, number | null>;

export class JobMetricsModel {
  /** `names`: only these metrics (all when left out). */
  constructor(
    readonly client: ForgatherClient,
    readonly jobId: string,
    readonly settings: ForgatherSettings,
    readonly names: string[] = []
  ) {}

  /** New points arrived. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The series by name, each by step. */
  get series(): ReadonlyMap<string, MetricSeries> {
    return this._series;
  }

  /** Number of points held, over all series. */
  get pointCount(): number {
    let n = 0;
    this._series.forEach(points => (n += points.size));
    return n;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Ask for new points now (throttled). */
  update(): void {
    void this._throttle.invoke();
  }

  /** Keep asking while the job runs; stop (after one last look) when it ended. */
  setLive(live: boolean): void {
    if (live && !this._poll && this._supported && !this._disposed) {
      this._poll = new Poll({
        factory: () => this._fetch(),
        frequency: { interval: 5000, backoff: false },
        standby: 'when-hidden',
        name: `forgather:metrics:${this.jobId}`
      });
    } else if (!live && this._poll) {
      this._poll.dispose();
      this._poll = null;
      this.update();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll?.dispose();
    this._throttle.dispose();
    Signal.clearData(this);
  }

  private async _fetch(): Promise<void> {
    if (!this._supported || this._disposed) {
      return;
    }
    const maxPoints = this.settings.values.chartMaxPoints;
    let series: Record<string, [number, number | null][]>;
    try {
      series = (
        await this.client.jobs.metrics(this.jobId, {
          sinceStep: this._lastStep === null ? undefined : this._lastStep + 1,
          names: this.names.length ? this.names.join(',') : undefined,
          maxPoints
        })
      ).series;
    } catch (error) {
      if (error instanceof ForgatherApiError && (error.status === 404 || error.status === 405)) {
        this._supported = this._lastStep !== null; // job gone, or no such endpoint
      }
      return;
    }
    let added = false;
    for (const [name, points] of Object.entries(series)) {
      const map = this._series.get(name) ?? new Map<number, number | null>();
      this._series.set(name, map);
      for (const [step, value] of points) {
        map.set(step, value);
        this._lastStep = this._lastStep === null ? step : Math.max(this._lastStep, step);
        added = true;
      }
      if (map.size > maxPoints) {
        this._series.set(name, halve(map));
      }
    }
    if (added && !this._disposed) {
      this._changed.emit();
    }
  }

  private _series = new Map<string, MetricSeries>();
  private _lastStep: number | null = null;
  private _supported = true;
  private _disposed = false;
  private _poll: Poll | null = null;
  private _throttle = new Throttler(() => this._fetch(), 1000);
  private _changed = new Signal<this, void>(this);
}

/** Every other point, the first and the last kept. */
function halve(series: MetricSeries): MetricSeries {
  const steps = [...series.keys()].sort((a, b) => a - b);
  const out: MetricSeries = new Map();
  steps.forEach((step, i) => {
    if (i % 2 === 0 || i === steps.length - 1) {
      out.set(step, series.get(step) ?? null);
    }
  });
  return out;
}
