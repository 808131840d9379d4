/**
 * A job's metric curves (loss, lr, …) in uPlot, growing as points arrive.
 *
 * Points come from `GET /jobs/{id}/metrics?since_step=N` (only what is new),
 * asked for when the event stream reports progress for this job and, as a
 * fallback, on a Lumino Poll while the job runs. The chart stays hidden
 * until the job has reported a metric (or on a server without the endpoint).
 */
import { Message } from '@lumino/messaging';
import { Poll, Throttler } from '@lumino/polling';
import { Widget } from '@lumino/widgets';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { ForgatherApiError, IMetricSeries, requestAPI } from '../api';

const COLORS = ['--jp-brand-color1', '--jp-warn-color1', '--jp-success-color1', '--jp-error-color1'];

function cssVar(name: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || '#888';
}

export class JobMetrics extends Widget {
  constructor(readonly jobId: string, label: string) {
    super();
    this.addClass('jp-forgather-metrics');
    this.node.setAttribute('role', 'img');
    this.node.setAttribute('aria-label', label);
    this.hide();
    this._resizeObserver = new ResizeObserver(() => this._resize());
    this._resizeObserver.observe(this.node);
  }

  /** Number of points held, over all series. */
  get pointCount(): number {
    let n = 0;
    this._series.forEach(points => (n += points.size));
    return n;
  }

  /** Ask for new points now (throttled). */
  update(): void {
    void this._throttle.invoke();
  }

  /** Keep asking while the job runs; stop when it ended. */
  setLive(live: boolean): void {
    if (live && !this._poll && this._supported) {
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
    this._resizeObserver.disconnect();
    this._poll?.dispose();
    this._throttle.dispose();
    this._plot?.destroy();
    super.dispose();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._resize();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._resize();
  }

  private async _fetch(): Promise<void> {
    if (!this._supported) {
      return;
    }
    const since = this._lastStep === null ? '' : `?since_step=${this._lastStep + 1}`;
    let data: IMetricSeries;
    try {
      data = await requestAPI<IMetricSeries>(`jobs/${encodeURIComponent(this.jobId)}/metrics${since}`);
    } catch (error) {
      if (error instanceof ForgatherApiError && (error.status === 404 || error.status === 405)) {
        this._supported = this._lastStep !== null; // job gone, or no such endpoint
      }
      return;
    }
    let added = false;
    for (const [name, points] of Object.entries(data.series ?? {})) {
      const map = this._series.get(name) ?? new Map<number, number>();
      this._series.set(name, map);
      for (const [step, value] of points) {
        map.set(step, value);
        this._lastStep = this._lastStep === null ? step : Math.max(this._lastStep, step);
        added = true;
      }
    }
    if (added) {
      this._render();
    }
  }

  private _render(): void {
    const names = [...this._series.keys()].sort((a, b) =>
      a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)
    );
    const steps = new Set<number>();
    this._series.forEach(points => points.forEach((_, step) => steps.add(step)));
    const xs = [...steps].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [
      xs,
      ...names.map(n => xs.map(x => this._series.get(n)?.get(x) ?? null))
    ];
    this.show();
    const key = names.join(',');
    if (this._plot && key === this._key) {
      this._plot.setData(data);
      return;
    }
    this._plot?.destroy();
    this._key = key;
    const axisColor = cssVar('--jp-ui-font-color2');
    const grid = { stroke: cssVar('--jp-border-color2'), width: 1 };
    const { width, height } = this._size();
    this._plot = new uPlot(
      {
        width,
        height,
        series: [
          { label: 'step' },
          ...names.map((name, i) => ({
            label: name,
            scale: i === 0 ? 'y' : 'y2',
            stroke: cssVar(COLORS[i % COLORS.length] ?? '--jp-brand-color1'),
            width: 1.5,
            spanGaps: true
          }))
        ],
        scales: { x: { time: false } },
        axes: [
          { stroke: axisColor, grid },
          { stroke: axisColor, grid, scale: 'y' },
          ...(names.length > 1 ? [{ stroke: axisColor, grid: { show: false }, scale: 'y2', side: 1 }] : [])
        ],
        legend: { live: true }
      },
      data,
      this.node
    );
  }

  private _size(): { width: number; height: number } {
    return {
      width: Math.max(200, this.node.clientWidth - 16),
      height: Math.max(120, this.node.clientHeight - 48)
    };
  }

  private _resize(): void {
    if (this._plot && this.isVisible) {
      this._plot.setSize(this._size());
    }
  }

  private _series = new Map<string, Map<number, number>>();
  private _lastStep: number | null = null;
  private _supported = true;
  private _key = '';
  private _plot: uPlot | null = null;
  private _poll: Poll | null = null;
  private _throttle = new Throttler(() => this._fetch(), 1000);
  private _resizeObserver: ResizeObserver;
}
