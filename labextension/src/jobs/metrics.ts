/**
 * The job view's metric curves: a Lumino widget that draws its
 * `JobMetricsModel` in a `MetricsChart` (uPlot). Hidden until the job has
 * reported a metric.
 */
import 'uplot/dist/uPlot.min.css';
import { type Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { MetricsChart } from '../views/metricsChart';
import { type JobMetricsModel } from './metricsModel';

export class JobMetrics extends Widget {
  constructor(
    readonly model: JobMetricsModel,
    label: string
  ) {
    super();
    this.addClass('jp-forgather-metrics');
    this.node.setAttribute('role', 'img');
    this.node.setAttribute('aria-label', label);
    this.hide();
    this._chart = new MetricsChart(this.node);
    model.changed.connect(this._render, this);
    this._resizeObserver = new ResizeObserver(() => this._resize());
    this._resizeObserver.observe(this.node);
  }

  get jobId(): string {
    return this.model.jobId;
  }

  /** Number of points held, over all series. */
  get pointCount(): number {
    return this.model.pointCount;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._resizeObserver.disconnect();
    this._chart.dispose();
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

  private _render(): void {
    this.show();
    this._chart.render(this.model.series, this._size());
  }

  private _size(): { width: number; height: number } {
    return {
      width: Math.max(200, this.node.clientWidth - 16),
      height: Math.max(120, this.node.clientHeight - 48)
    };
  }

  private _resize(): void {
    if (this.isVisible) {
      this._chart.resize(this._size());
    }
  }

  private _chart: MetricsChart;
  private _resizeObserver: ResizeObserver;
}
