/**
 * Metric curves in uPlot: one x axis of steps, the first series (loss
 * first) on the left scale and the others on a right one. Framework-free (a
 * host element and the series in), so the Lab's job view and the notebook's
 * `JobView` chart metrics the same way.
 */
import uPlot from 'uplot';

import type { MetricSeries } from '../jobs/metricsModel';
import { cssVar } from './theme';

const COLORS = [
  '--jp-brand-color1',
  '--jp-warn-color1',
  '--jp-success-color1',
  '--jp-error-color1'
];
const FALLBACK = ['#1976d2', '#f57c00', '#388e3c', '#d32f2f'];

export class MetricsChart {
  constructor(readonly host: HTMLElement) {}

  /** Steps drawn on the x axis (the union over all series). */
  get stepCount(): number {
    return this._steps;
  }

  /** Draw `series`; a new set of names builds the plot again, new points only update it. */
  render(series: ReadonlyMap<string, MetricSeries>, size: { width: number; height: number }): void {
    const names = [...series.keys()].sort((a, b) =>
      a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)
    );
    const steps = new Set<number>();
    series.forEach(points => points.forEach((_, step) => steps.add(step)));
    const xs = [...steps].sort((a, b) => a - b);
    this._steps = xs.length;
    const data: uPlot.AlignedData = [
      xs,
      ...names.map(n => xs.map(x => series.get(n)?.get(x) ?? null))
    ];
    const key = names.join(',');
    if (this._plot && key === this._key) {
      this._plot.setData(data);
      return;
    }
    this._plot?.destroy();
    this._key = key;
    const axisColor = cssVar('--jp-ui-font-color2', '#666');
    const grid = { stroke: cssVar('--jp-border-color2', '#ddd'), width: 1 };
    this._plot = new uPlot(
      {
        ...size,
        series: [
          { label: 'step' },
          ...names.map((name, i) => ({
            label: name,
            scale: i === 0 ? 'y' : 'y2',
            stroke: cssVar(
              COLORS[i % COLORS.length] ?? '--jp-brand-color1',
              FALLBACK[i % FALLBACK.length] ?? '#888'
            ),
            width: 1.5,
            spanGaps: true
          }))
        ],
        scales: { x: { time: false } },
        axes: [
          { stroke: axisColor, grid },
          { stroke: axisColor, grid, scale: 'y' },
          ...(names.length > 1
            ? [{ stroke: axisColor, grid: { show: false }, scale: 'y2', side: 1 }]
            : [])
        ],
        legend: { live: true }
      },
      data,
      this.host
    );
  }

  resize(size: { width: number; height: number }): void {
    this._plot?.setSize(size);
  }

  dispose(): void {
    this._plot?.destroy();
    this._plot = null;
  }

  private _plot: uPlot | null = null;
  private _key = '';
  private _steps = 0;
}
