/**
 * The Datasets view (a main-area tab): the registered dataset servers, the
 * datasets of the one picked, the splits of a dataset and a paged table of
 * its rows, read through the same-origin proxy. It renders a
 * `DatasetsModel` and calls its methods.
 */
import '../../style/datasets.css';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { type TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { forgatherIcon } from '../icons';
import type { DescribeDatasetServer, IPreviewPage } from './api';
import { type DatasetsModel, PAGE_SIZE } from './model';

const STATUS_CLASS: Record<string, string> = {
  ready: 'jp-forgather-pill-ok',
  unreachable: 'jp-forgather-pill-error',
  unauthorized: 'jp-forgather-pill-error',
  starting: ''
};

function cell(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function ServerRow(props: {
  server: DescribeDatasetServer;
  model: DatasetsModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { server, model, trans } = props;
  const selected = server.id === model.serverId;
  return (
    <li
      className={`jp-forgather-datasets-server${selected ? ' jp-mod-selected' : ''}`}
      data-server-id={server.id}
      data-status={server.status}
    >
      <button
        className="jp-forgather-link-button jp-forgather-datasets-pick"
        aria-pressed={selected}
        onClick={() => void model.selectServer(server.id)}
        title={server.message ?? server.url}
      >
        <span className="jp-forgather-datasets-label">{server.label}</span>
        <small className="jp-forgather-muted">
          {server.source === 'job' ? trans.__('job %1', server.id) : server.url}
        </small>
      </button>
      <span className={`jp-forgather-pill ${STATUS_CLASS[server.status] ?? ''}`}>
        {server.status}
      </span>
      {server.source === 'user' && (
        <button
          className="jp-forgather-link-button"
          aria-label={trans.__('Remove %1', server.label)}
          onClick={() => {
            if (window.confirm(trans.__('Remove the dataset server %1?', server.label))) {
              void model.remove(server.id);
            }
          }}
        >
          ×
        </button>
      )}
    </li>
  );
}

function Servers(props: {
  model: DatasetsModel;
  trans: TranslationBundle;
  onAdd: () => void;
}): JSX.Element {
  const { model, trans } = props;
  return (
    <section className="jp-forgather-datasets-column" aria-label={trans.__('Dataset servers')}>
      <header className="jp-forgather-section-header">
        <h3>{trans.__('Servers')}</h3>
        <button className="jp-forgather-link-button" onClick={props.onAdd}>
          {trans.__('Add…')}
        </button>
      </header>
      {model.servers.length === 0 ? (
        <p className="jp-forgather-muted">
          {model.loaded
            ? trans.__('No dataset servers. Queue a dataset_server job, or add one by URL.')
            : trans.__('Loading…')}
        </p>
      ) : (
        <ul className="jp-forgather-list" aria-label={trans.__('Dataset servers')}>
          {model.servers.map(s => (
            <ServerRow key={s.id} server={s} model={model} trans={trans} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Datasets(props: { model: DatasetsModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  const server = model.server;
  return (
    <section className="jp-forgather-datasets-column" aria-label={trans.__('Datasets')}>
      <header className="jp-forgather-section-header">
        <h3>{trans.__('Datasets')}</h3>
      </header>
      {server && server.status !== 'ready' && (
        <p className="jp-forgather-muted">{server.message ?? server.status}</p>
      )}
      <ul className="jp-forgather-list" aria-label={trans.__('Datasets')}>
        {model.datasets.map(d => (
          <li key={d.name} data-dataset={d.name}>
            <button
              className={`jp-forgather-link-button jp-forgather-datasets-pick${
                d.name === model.dataset ? ' jp-mod-selected' : ''
              }`}
              aria-pressed={d.name === model.dataset}
              onClick={() => void model.selectDataset(d.name)}
            >
              <span className="jp-forgather-datasets-label">{d.name}</span>
              <small className="jp-forgather-muted">{d.format}</small>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Table(props: { page: IPreviewPage; trans: TranslationBundle }): JSX.Element {
  const { page, trans } = props;
  return (
    <div className="jp-forgather-datasets-table-box">
      <table className="jp-forgather-datasets-table" aria-label={trans.__('Rows')}>
        <thead>
          <tr>
            <th scope="col">#</th>
            {page.columns.map(c => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {page.rows.map((row, i) => (
            <tr key={page.offset + i} data-row={page.offset + i}>
              <th scope="row">{page.offset + i}</th>
              {page.columns.map(c => (
                <td key={c}>{cell(row[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Preview(props: { model: DatasetsModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  const page = model.page;
  const first = page ? page.offset + (page.rows.length ? 1 : 0) : 0;
  const last = page ? page.offset + page.rows.length : 0;
  return (
    <section className="jp-forgather-datasets-preview" aria-label={trans.__('Preview')}>
      <header className="jp-forgather-section-header">
        <h3>{model.dataset ?? trans.__('Preview')}</h3>
        <span role="tablist" aria-label={trans.__('Splits')}>
          {model.splits.map(s => (
            <button
              key={s.name}
              role="tab"
              aria-selected={s.name === model.split}
              className={`jp-forgather-datasets-split${s.name === model.split ? ' jp-mod-selected' : ''}`}
              onClick={() => void model.selectSplit(s.name)}
            >
              {trans.__('%1 (%2)', s.name, s.num_rows)}
            </button>
          ))}
        </span>
      </header>
      {model.detailError && (
        <p className="jp-forgather-error" role="alert">
          {model.detailError}
        </p>
      )}
      {page && (
        <>
          <div
            className="jp-forgather-datasets-pager"
            role="toolbar"
            aria-label={trans.__('Pages')}
          >
            <button
              className="jp-forgather-button"
              disabled={page.offset === 0}
              onClick={() => void model.showPage(page.offset - PAGE_SIZE)}
            >
              {trans.__('Previous')}
            </button>
            <span className="jp-forgather-muted" data-testid="forgather-datasets-range">
              {trans.__('rows %1–%2 of %3', first, last, page.num_rows)}
            </span>
            <button
              className="jp-forgather-button"
              disabled={last >= page.num_rows}
              onClick={() => void model.showPage(page.offset + PAGE_SIZE)}
            >
              {trans.__('Next')}
            </button>
          </div>
          <Table page={page} trans={trans} />
        </>
      )}
    </section>
  );
}

export class DatasetsBody extends ReactWidget {
  constructor(
    readonly model: DatasetsModel,
    readonly trans: TranslationBundle,
    private readonly _onAdd: () => void
  ) {
    super();
    this.addClass('jp-forgather-datasets');
  }

  protected render(): JSX.Element {
    const { model, trans } = this;
    return (
      <UseSignal signal={model.changed}>
        {() => (
          <div className="jp-forgather-datasets-body" data-testid="forgather-datasets">
            {model.error && (
              <p className="jp-forgather-error" role="alert">
                {model.error}
              </p>
            )}
            <div className="jp-forgather-datasets-columns">
              <Servers model={model} trans={trans} onAdd={this._onAdd} />
              <Datasets model={model} trans={trans} />
              <Preview model={model} trans={trans} />
            </div>
          </div>
        )}
      </UseSignal>
    );
  }
}

export class DatasetsView extends MainAreaWidget<DatasetsBody> {
  constructor(content: DatasetsBody) {
    super({ content });
    this.id = 'forgather-datasets';
    this.title.icon = forgatherIcon;
    this.title.closable = true;
    this.title.label = content.trans.__('Datasets');
    this.title.caption = content.trans.__('Forgather: dataset servers');
  }

  dispose(): void {
    this.content.model.dispose();
    super.dispose();
  }
}
