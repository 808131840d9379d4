/**
 * `JobView`: one job's status, progress and controls, a metric chart and the
 * live log, drawn with the Lab job view's own parts: `JobLogStream` in a
 * `LogTerminal` (xterm.js), `JobMetricsModel` in a `MetricsChart` (uPlot);
 * the header follows a `JobWatch`.
 */
import { type JobControl, TERMINAL } from '../client/schemas';
import { JobLogStream } from '../jobs/logStream';
import { JobMetricsModel } from '../jobs/metricsModel';
import { ForgatherSettings } from '../settings';
import { LogTerminal } from '../views/logTerminal';
import { MetricsChart } from '../views/metricsChart';
import { type IViewContext, bar, h, showError } from './dom';
import { JobWatch } from './models';

const CONTROLS: JobControl[] = ['save', 'stop', 'abort', 'kill'];
const CHART = { width: 420, height: 160 };

export function renderJob({ widget, el, life, client }: IViewContext): void {
  const id = widget.get('job_id') ?? '';
  const metric = widget.get('metric') || 'loss';
  const watch = life.own(new JobWatch(client, id));
  const state = h('div', { class: 'fg-muted' }, '…');
  const buttons = h(
    'div',
    {},
    ...CONTROLS.map(action =>
      h('button', { class: 'fg-btn', onclick: () => void watch.control(action) }, action)
    )
  );
  const waiting = h('div', { class: 'fg-muted' }, 'waiting for metrics…');
  const plot = h('div', { class: 'fg-plot', 'data-steps': 0 });
  const log = h('div', { class: 'fg-log', role: 'log', 'aria-label': `Log of job ${id}` });
  el.append(
    h('div', { class: 'fg-title' }, `Job ${id}`),
    state,
    buttons,
    h('div', { class: 'fg-muted' }, metric),
    waiting,
    plot,
    log
  );

  const settings = new ForgatherSettings();
  const stream = life.own(new JobLogStream(client, id, settings));
  const term = life.own(new LogTerminal(5000));
  stream.reset.connect(() => term.reset());
  stream.received.connect((_, data) => term.write(data));
  term.attach(log);

  const series = life.own(new JobMetricsModel(client, id, settings, [metric]));
  const chart = life.own(new MetricsChart(plot));
  series.changed.connect(() => {
    waiting.hidden = true;
    chart.render(series.series, CHART);
    plot.dataset.steps = String(chart.stepCount);
  });

  let status: string | null = null;
  watch.changed.connect(() => {
    const job = watch.job;
    if (!job) {
      showError(state, watch.error ?? 'loading…');
      return;
    }
    const exit = job.exit_code !== null ? ` (exit ${job.exit_code})` : '';
    const pct = watch.progress?.progress;
    const attempt = (job.attempt ?? 1) > 1 ? ` · attempt ${job.attempt}` : '';
    const waiting =
      job.status === 'queued' && job.pending_reason
        ? ` · ${job.position ? `#${job.position}: ` : ''}${job.pending_reason}`
        : '';
    state.replaceChildren(
      `${job.name} · ${job.status}${exit}${attempt}${waiting}`,
      watch.notice ? ` · ${watch.notice}` : '',
      pct !== null && pct !== undefined ? bar(pct) : ''
    );
    buttons.hidden = TERMINAL.has(job.status) || job.status === 'queued';
    if (job.status !== status) {
      // The server ends the log stream at once for a job that has not
      // started yet: connect again when it runs (then a close means it ended).
      const wasWaiting = status === null || status === 'queued' || status === 'starting';
      status = job.status;
      if (wasWaiting && job.status === 'running' && !stream.live) {
        stream.connect();
      }
      series.setLive(job.status === 'running');
    }
    series.update();
  });
  stream.connect();
  watch.start();
}
