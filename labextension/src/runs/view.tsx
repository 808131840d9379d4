/**
 * The Compare view (a main-area tab): the runs' curves of one metric
 * overlaid against the step or the wall time since each run's first point,
 * the parameters they were made with (differing rows
 * highlighted) and a summary of every metric. It renders a `CompareModel`
 * and sets its choices; the chart is a `CompareChart` (uPlot).
 */
import 'uplot/dist/uPlot.min.css';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { forgatherIcon } from '../icons';
import { StatusPill } from '../jobs/components';
import { CompareChart, runColor } from './chart';
import { num } from './format';
import { type CompareAxis, type CompareModel } from './model';

/** The uPlot chart in a React tree: drawn after each render, sized to its box. */
function Chart(props: { model: CompareModel; label: string; xLabel: string }): JSX.Element {
  const { model } = props;
  const host = React.useRef<HTMLDivElement>(null);
  const chart = React.useRef<CompareChart | null>(null);
  const size = () => ({
    width: Math.max(240, (host.current?.clientWidth ?? 600) - 8),
    height: 300
  });
  React.useEffect(() => {
    const node = host.current;
    if (!node) {
      return;
    }
    chart.current = new CompareChart(node);
    const observer = new ResizeObserver(() => chart.current?.resize(size()));
    observer.observe(node);
    return () => {
      observer.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  React.useEffect(() => {
    chart.current?.render(
      model.curves(),
      {
        logScale: model.logScale,
        smoothing: model.smoothing,
        xLabel: props.xLabel,
        xTime: model.axis === 'time'
      },
      size()
    );
  });
  return (
    <div
      ref={host}
      className="jp-forgather-compare-chart"
      role="img"
      aria-label={props.label}
      data-key={model.key ?? ''}
      data-x-axis={model.axis}
    />
  );
}

function Toolbar(props: { model: CompareModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  return (
    <div className="jp-forgather-compare-toolbar" role="toolbar" aria-label={trans.__('Chart')}>
      <label>
        {trans.__('Metric')}{' '}
        <select
          className="jp-mod-styled"
          value={model.key ?? ''}
          onChange={e => (model.key = e.currentTarget.value)}
          disabled={!model.keys.length}
        >
          {model.keys.map(k => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <div
        className="jp-forgather-compare-axis"
        style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}
        role="radiogroup"
        aria-label={trans.__('X axis')}
        title={trans.__(
          "Wall time: the seconds since each run's first point, so runs made at different hours line up at their start."
        )}
      >
        {trans.__('X axis')}{' '}
        {(
          [
            ['step', trans.__('Step')],
            ['time', trans.__('Wall time')]
          ] as [CompareAxis, string][]
        ).map(([value, label]) => (
          <label key={value}>
            <input
              type="radio"
              name={`fg-compare-axis-${model.jobIds.join('-')}`}
              value={value}
              checked={model.axis === value}
              onChange={() => (model.axis = value)}
            />{' '}
            {label}
          </label>
        ))}
      </div>
      <label>
        <input
          type="checkbox"
          checked={model.logScale}
          onChange={e => (model.logScale = e.currentTarget.checked)}
        />{' '}
        {trans.__('Log scale')}
      </label>
      <label className="jp-forgather-compare-smoothing">
        {trans.__('Smoothing')}{' '}
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={model.smoothing}
          aria-valuetext={model.smoothing.toFixed(2)}
          onChange={e => (model.smoothing = parseFloat(e.currentTarget.value))}
        />{' '}
        <output>{model.smoothing.toFixed(2)}</output>
      </label>
      <span className="jp-forgather-spacer" />
      <button className="jp-forgather-button" onClick={() => void model.refresh()}>
        {trans.__('Refresh')}
      </button>
    </div>
  );
}

function RunHead(props: { index: number; name: string; id: string }): JSX.Element {
  return (
    <th scope="col" title={props.id}>
      <span
        className="jp-forgather-compare-swatch"
        style={{ background: runColor(props.index) }}
        aria-hidden="true"
      />
      {props.name}
    </th>
  );
}

function ParamsTable(props: { model: CompareModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  const jobs = model.jobs;
  const rows = model.params();
  const differing = rows.filter(r => r.differs).length;
  return (
    <section aria-label={trans.__('Parameters')}>
      <h3>
        {trans.__('Parameters')}{' '}
        <span className="jp-forgather-muted">{trans._n('%1 differs', '%1 differ', differing)}</span>
      </h3>
      <table className="jp-forgather-compare-table" aria-label={trans.__('Parameters')}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Parameter')}</th>
            {jobs.map((j, i) => (
              <RunHead key={j.id} index={i} name={j.name} id={j.id} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr
              key={row.key}
              className={
                row.differs
                  ? 'jp-forgather-differs'
                  : row.kind === 'outcome'
                    ? 'jp-forgather-outcome'
                    : ''
              }
              data-param={row.key}
              data-differs={row.differs ? 'true' : 'false'}
            >
              <th scope="row">{row.key}</th>
              {row.values.map((v, i) => (
                <td key={jobs[i]?.id ?? i}>
                  {row.key === 'status' && v ? <StatusPill status={v} trans={trans} /> : v}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function SummaryTable(props: { model: CompareModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  const jobs = model.jobs;
  return (
    <section aria-label={trans.__('Metric summary')}>
      <h3>{trans.__('Metric summary')}</h3>
      <table className="jp-forgather-compare-table" aria-label={trans.__('Metric summary')}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Metric')}</th>
            {jobs.map((j, i) => (
              <RunHead key={j.id} index={i} name={j.name} id={j.id} />
            ))}
          </tr>
        </thead>
        <tbody>
          {model.keys.map(key => {
            const sums = model.summaries(key);
            return (
              <tr key={key} data-metric={key}>
                <th scope="row">{key}</th>
                {jobs.map(j => {
                  const s = sums.get(j.id);
                  return (
                    <td key={j.id} data-job-id={j.id}>
                      {s ? (
                        <>
                          <span
                            title={
                              model.axis === 'time'
                                ? trans.__(
                                    'last, recorded %1',
                                    new Date(s.lastStep * 1000).toLocaleString()
                                  )
                                : trans.__('last, at step %1', s.lastStep)
                            }
                          >
                            {num(s.last)}
                          </span>
                          <small className="jp-forgather-muted">
                            {' '}
                            {trans.__('min %1 · max %2', num(s.min), num(s.max))}
                          </small>
                        </>
                      ) : (
                        '–'
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="jp-forgather-muted">
        {trans.__(
          'Last value, with the minimum and maximum, of the points the server sent (at most %1 per curve, downsampled keeping the extremes).',
          model.options.maxPoints ?? 1000
        )}
      </p>
    </section>
  );
}

function CompareBody(props: { model: CompareModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  const jobs = model.jobs;
  return (
    <div className="jp-forgather-compare" data-testid="forgather-compare">
      <header className="jp-forgather-compare-header">
        <h2>{trans._n('Compare %1 run', 'Compare %1 runs', model.jobIds.length)}</h2>
        {!model.loaded && <span className="jp-forgather-muted">{trans.__('Loading…')}</span>}
      </header>
      {model.error && (
        <p className="jp-forgather-error" role="alert">
          {model.error}
        </p>
      )}
      {model.missing.length > 0 && (
        <p className="jp-forgather-error" role="alert">
          {trans.__('No such job: %1', model.missing.join(', '))}
        </p>
      )}
      <Toolbar model={model} trans={trans} />
      {model.loaded && !model.error && !model.keys.length && (
        <p className="jp-forgather-muted">
          {trans.__(
            'No metrics yet: runs report them with forgather_lab.reporter (or the HF callback).'
          )}
        </p>
      )}
      {model.axis === 'time' && Object.keys(model.untimed).length > 0 && (
        <p className="jp-forgather-muted" role="note">
          {trans.__(
            'Left off this axis: points recorded before the server kept wall times (%1).',
            Object.entries(model.untimed)
              .map(([id, keys]) => `${id}: ${keys.join(', ')}`)
              .join('; ')
          )}
        </p>
      )}
      {model.keys.length > 0 && (
        <Chart
          model={model}
          label={trans.__('Curves of %1', model.key ?? '')}
          xLabel={
            model.axis === 'time' ? trans.__("wall time since the run's start") : trans.__('step')
          }
        />
      )}
      {jobs.length > 0 && <ParamsTable model={model} trans={trans} />}
      {jobs.length > 0 && model.keys.length > 0 && <SummaryTable model={model} trans={trans} />}
    </div>
  );
}

/** The widget inside the tab. */
export class CompareViewBody extends ReactWidget {
  constructor(
    readonly model: CompareModel,
    readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-forgather-compare-widget');
    model.start();
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => <CompareBody model={this.model} trans={this.trans} />}
      </UseSignal>
    );
  }
}

/** A main-area tab comparing runs. */
export class CompareView extends MainAreaWidget<CompareViewBody> {
  constructor(content: CompareViewBody) {
    super({ content });
    const ids = content.model.jobIds;
    this.id = `forgather-compare-${ids.join('-')}`;
    this.addClass('jp-forgather-compare-main');
    this.title.icon = forgatherIcon;
    this.title.closable = true;
    this.title.label = content.trans._n('Compare %1 run', 'Compare %1 runs', ids.length);
    this.title.caption = content.trans.__('Forgather: compare %1', ids.join(', '));
  }
}
