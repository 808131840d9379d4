/**
 * `Compare`: several runs' curves overlaid in a cell, drawn with the Lab
 * Compare view's own parts: a `CompareModel` (the curves from
 * `GET /metrics/compare`, polled while a run is going) in a `CompareChart`
 * (uPlot), with a metric picker, a step / wall-time axis, log scale,
 * smoothing and the runs' differing parameters. The kernel's `smoothing`,
 * `log_scale`, `metric` and `axis` traits set the same choices.
 */
import '../runs/widget.css';

import { CompareChart, runColor } from '../runs/chart';
import { num } from '../runs/format';
import { type CompareAxis, CompareModel } from '../runs/model';
import { type IViewContext, h, showError } from './dom';

const CHART = { width: 560, height: 240 };

/** The traits of `forgather_lab.widgets.Compare` (anywidget.ts lists the shared ones). */
interface ICompareTraits {
  job_ids: string[];
  metrics: string[];
  metric: string;
  max_points: number;
  smoothing: number;
  log_scale: boolean;
  axis: CompareAxis;
}

export function renderCompare({ widget, el, life, client }: IViewContext): void {
  const traits = widget as unknown as {
    get<K extends keyof ICompareTraits>(name: K): ICompareTraits[K] | undefined;
  };
  const ids = traits.get('job_ids') ?? [];
  const model = life.own(
    new CompareModel(client, ids, {
      keys: traits.get('metrics') ?? [],
      maxPoints: traits.get('max_points') ?? 1000
    })
  );
  const wanted = () => traits.get('metric') || null;
  const fromKernel = () => {
    model.smoothing = traits.get('smoothing') ?? 0;
    model.logScale = traits.get('log_scale') ?? false;
  };
  // Only when the kernel sets it: another trait's change must not undo the user's pick.
  const axisFromKernel = () => (model.axis = traits.get('axis') === 'time' ? 'time' : 'step');
  fromKernel();
  axisFromKernel();
  widget.on('change:axis', axisFromKernel);
  life.add(() => widget.off('change:axis', axisFromKernel));
  for (const name of ['smoothing', 'log_scale', 'metric']) {
    const handler = () => {
      fromKernel();
      const metric = wanted();
      if (metric && model.keys.includes(metric)) {
        model.key = metric;
      }
    };
    widget.on(`change:${name}`, handler);
    life.add(() => widget.off(`change:${name}`, handler));
  }

  const msg = h('div', { class: 'fg-muted' }, 'loading…');
  const picker = h('select', {
    class: 'fg-select',
    'aria-label': 'Metric',
    onchange: (e: Event) => (model.key = (e.target as HTMLSelectElement).value)
  });
  const log = h('input', {
    type: 'checkbox',
    onchange: (e: Event) => (model.logScale = (e.target as HTMLInputElement).checked)
  });
  const axis = h('select', {
    class: 'fg-select',
    'aria-label': 'X axis',
    onchange: (e: Event) =>
      (model.axis = (e.target as HTMLSelectElement).value === 'time' ? 'time' : 'step')
  });
  axis.append(h('option', { value: 'step' }, 'step'), h('option', { value: 'time' }, 'wall time'));
  const smoothing = h('input', {
    type: 'range',
    min: 0,
    max: 0.99,
    step: 0.01,
    'aria-label': 'Smoothing',
    oninput: (e: Event) => (model.smoothing = parseFloat((e.target as HTMLInputElement).value))
  });
  const plot = h('div', { class: 'fg-plot fg-compare-plot', role: 'img' });
  const params = h('table', { class: 'fg-table fg-compare-params', 'aria-label': 'Parameters' });
  el.append(
    h('div', { class: 'fg-title' }, `Compare ${ids.length} run${ids.length === 1 ? '' : 's'}`),
    msg,
    h(
      'div',
      { class: 'fg-compare-controls' },
      h('label', {}, 'metric ', picker),
      h('label', {}, log, ' log scale'),
      h('label', {}, 'x ', axis),
      h('label', {}, 'smoothing ', smoothing)
    ),
    plot,
    params
  );
  const chart = life.own(new CompareChart(plot));

  let first = true;
  model.changed.connect(() => {
    if (first && model.loaded) {
      first = false;
      const metric = wanted();
      if (metric && model.keys.includes(metric)) {
        model.key = metric; // emits again: drawn then
        return;
      }
    }
    if (model.error) {
      showError(msg, model.error);
    } else {
      msg.textContent = model.missing.length
        ? `no such job: ${model.missing.join(', ')}`
        : model.keys.length
          ? ''
          : 'no metrics yet (runs report them with forgather_lab.reporter)';
    }
    picker.replaceChildren(
      ...model.keys.map(k => h('option', { value: k, selected: k === model.key }, k))
    );
    log.checked = model.logScale;
    axis.value = model.axis;
    smoothing.value = String(model.smoothing);
    plot.setAttribute('aria-label', `Curves of ${model.key ?? ''}`);
    const timed = model.axis === 'time';
    chart.render(
      model.curves(),
      {
        logScale: model.logScale,
        smoothing: model.smoothing,
        xLabel: timed ? "wall time since the run's start" : 'step',
        xTime: timed
      },
      CHART
    );
    renderParams(params, model);
  });
  model.start();
}

/** The parameters that differ (all when every run is the same), and each run's last value. */
function renderParams(table: HTMLTableElement, model: CompareModel): void {
  const jobs = model.jobs;
  const rows = model.params();
  const differing = rows.filter(r => r.differs);
  const shown = differing.length ? differing : rows.filter(r => r.kind === 'param');
  const sums = model.summaries();
  table.replaceChildren(
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, differing.length ? 'differs' : 'parameter'),
        ...jobs.map((j, i) =>
          h(
            'th',
            { title: j.id },
            h('span', { class: 'fg-swatch', style: `background:${runColor(i)}` }),
            j.name
          )
        )
      )
    ),
    h(
      'tbody',
      {},
      ...shown.map(r =>
        h(
          'tr',
          { class: r.differs ? 'fg-differs' : '', 'data-param': r.key },
          h('th', {}, r.key),
          ...r.values.map(v => h('td', {}, v))
        )
      ),
      model.key
        ? h(
            'tr',
            { class: 'fg-summary' },
            h('th', {}, `${model.key} (last)`),
            ...jobs.map(j => h('td', {}, num(sums.get(j.id)?.last)))
          )
        : null
    )
  );
}
