/**
 * Several runs' curves of one metric in uPlot, overlaid: one colour per run,
 * a legend of run names, a step or elapsed-time axis, an optional log scale and EMA
 * smoothing. Framework-free (a host element and the curves in), like
 * `views/metricsChart.ts`, whose theme helpers it shares, so the Lab's
 * Compare view and the notebook's `Compare` widget draw the same chart.
 */
import uPlot from 'uplot';

import { cssVar } from '../views/theme';
import { elapsed } from './format';
import { type Points, smooth } from './smooth';

/**
 * Run colours: the Lab's four accent colours run out at the fifth run, so a
 * ten-colour qualitative palette (Tableau 10) that reads on light and dark.
 */
export const RUN_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac'
];

export function runColor(index: number): string {
  return RUN_COLORS[index % RUN_COLORS.length] ?? '#888';
}

/** One run's curve. */
export interface ICurve {
  id: string;
  label: string;
  points: Points;
}

export interface IChartOptions {
  /** A log y axis (values <= 0 are left out: a log scale has no place for them). */
  logScale: boolean;
  /** TensorBoard's smoothing weight, 0 (none) to 0.99. */
  smoothing: number;
  /** The x axis' name. */
  xLabel: string;
  /** x is seconds (elapsed since each run's start): ticks and the legend as durations. */
  xTime?: boolean;
}

/** Tick spacings for an elapsed-time axis, in seconds: round seconds, minutes, hours, days. */
const TIME_INCRS = [
  0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
  21600, 43200, 86400, 172800, 604800
];

export class CompareChart {
  constructor(readonly host: HTMLElement) {}

  /** Curves drawn (the uPlot series, less the x one). */
  get curveCount(): number {
    return this._plot ? this._plot.series.length - 1 : 0;
  }

  /** Draw `curves`; new runs or options build the plot again, new points only update it. */
  render(curves: readonly ICurve[], options: IChartOptions, size: ISize): void {
    const steps = new Set<number>();
    for (const c of curves) {
      for (const [step] of c.points) {
        steps.add(step);
      }
    }
    const xs = [...steps].sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const ys = curves.map(c => {
      const column: (number | null)[] = new Array<number | null>(xs.length).fill(null);
      const values = smooth(c.points, options.smoothing);
      c.points.forEach(([step], i) => {
        const v = values[i] ?? null;
        column[index.get(step) ?? 0] = options.logScale && v !== null && v <= 0 ? null : v;
      });
      return column;
    });
    const data: uPlot.AlignedData = [xs, ...ys];
    this.host.dataset.curves = String(curves.length);
    this.host.dataset.points = String(xs.length);
    this.host.dataset.axis = options.xTime ? 'time' : 'step';
    const key = JSON.stringify([
      curves.map(c => [c.id, c.label]),
      options.logScale,
      options.xLabel,
      options.xTime ?? false
    ]);
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
          options.xTime
            ? { label: options.xLabel, value: (_u: uPlot, v: number | null) => elapsedOr(v) }
            : { label: options.xLabel },
          ...curves.map((c, i) => ({
            label: c.label,
            stroke: runColor(i),
            width: 1.5,
            spanGaps: true
          }))
        ],
        scales: {
          x: { time: false },
          y: options.logScale ? { distr: 3 as const, log: 10 as const } : {}
        },
        axes: [
          options.xTime
            ? {
                stroke: axisColor,
                grid,
                label: options.xLabel,
                incrs: TIME_INCRS,
                values: (_u: uPlot, splits: number[]) => splits.map(elapsed)
              }
            : { stroke: axisColor, grid, label: options.xLabel },
          { stroke: axisColor, grid }
        ],
        legend: { live: true }
      },
      data,
      this.host
    );
  }

  resize(size: ISize): void {
    this._plot?.setSize(size);
  }

  dispose(): void {
    this._plot?.destroy();
    this._plot = null;
    this._key = '';
  }

  private _plot: uPlot | null = null;
  private _key = '';
}

function elapsedOr(v: number | null): string {
  return v === null ? '–' : elapsed(v);
}

export interface ISize {
  width: number;
  height: number;
}
