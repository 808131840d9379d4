/** The Evaluate panel: an output directory's evaluation results as a table. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { type EvaluationsModel, type IExtra } from './model';

function Extra(props: { extra: IExtra }): JSX.Element {
  const { extra } = props;
  if (extra.text !== undefined) {
    return (
      <details className="jp-forgather-eval-extra">
        <summary>{extra.key}</summary>
        <pre>{extra.text}</pre>
      </details>
    );
  }
  const samples = extra.samples ?? [];
  const keys = [...new Set(samples.flatMap(s => Object.keys(s)))];
  return (
    <details className="jp-forgather-eval-extra">
      <summary>
        {extra.key} ({samples.length})
      </summary>
      <table className="jp-forgather-table">
        <thead>
          <tr>
            {keys.map(k => (
              <th key={k}>{k}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {samples.slice(0, 200).map((s, i) => (
            <tr key={i}>
              {keys.map(k => (
                <td key={k}>
                  {typeof s[k] === 'object' ? JSON.stringify(s[k]) : String(s[k] ?? '')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function EvalTable(props: { model: EvaluationsModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  const table = model.table;
  if (model.error) {
    return (
      <p className="jp-forgather-error" role="alert">
        {model.error}
      </p>
    );
  }
  if (!table) {
    return <p className="jp-forgather-muted">{trans.__('Loading…')}</p>;
  }
  if (table.rows.length === 0) {
    return (
      <p className="jp-forgather-muted">
        {trans.__('No evaluations yet: run an evaluation config of this project.')}
      </p>
    );
  }
  return (
    <>
      <table
        className="jp-forgather-table jp-forgather-eval-table"
        aria-label={trans.__('Evaluation results')}
      >
        <thead>
          <tr>
            <th scope="col">{trans.__('evaluation')}</th>
            <th scope="col">{trans.__('when')}</th>
            {table.columns.map(c => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map(r => (
            <tr key={r.name} data-evaluation={r.name}>
              <th scope="row">{r.name}</th>
              <td>{new Date(r.when * 1000).toLocaleString()}</td>
              {table.columns.map(c => (
                <td key={c} data-metric={c}>
                  {r.cells[c] ?? ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {table.rows
        .filter(r => r.extra.length)
        .map(r => (
          <section key={r.name} className="jp-forgather-eval-details" aria-label={r.name}>
            <h4>{r.name}</h4>
            {r.extra.map(x => (
              <Extra key={x.key} extra={x} />
            ))}
          </section>
        ))}
    </>
  );
}

class EvalBody extends ReactWidget {
  constructor(
    readonly model: EvaluationsModel,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-forgather-evaluate');
  }

  render(): JSX.Element {
    const { model } = this;
    const trans = this._trans;
    return (
      <div className="jp-forgather-evaluate-body">
        <header className="jp-forgather-evaluate-header">
          <h2>{trans.__('Evaluation results')}</h2>
          <code title={model.outputDir}>{model.outputDir}</code>
          <button className="jp-forgather-button" onClick={() => void model.refresh()}>
            {trans.__('Refresh')}
          </button>
        </header>
        <UseSignal signal={model.changed}>
          {() => <EvalTable model={model} trans={trans} />}
        </UseSignal>
      </div>
    );
  }
}

/** The Evaluate panel of one output directory (a main-area tab). */
export class EvaluatePanel extends MainAreaWidget<EvalBody> {
  constructor(model: EvaluationsModel, trans: TranslationBundle) {
    super({ content: new EvalBody(model, trans) });
    const name = model.outputDir.split('/').filter(Boolean).pop() ?? model.outputDir;
    this.id = `forgather-evaluate-${encodeURIComponent(model.outputDir)}`;
    this.title.label = trans.__('Evaluate: %1', name);
    this.title.caption = model.outputDir;
    this.title.closable = true;
    this.addClass('jp-forgather-evaluate-panel');
    void model.refresh();
  }
}
