/**
 * The Runs table of a config (mounted in the config view): one row per job
 * of the config with its status, dynamic args, duration, attempt and the
 * last value of each metric; click a column head to sort, type to filter,
 * tick rows and Compare, or Re-run… a row.
 */
import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';

import { type ForgatherClient } from '../client';
import { StatusPill } from '../jobs/components';
import { runsActions } from './actions';
import { duration, num } from './format';
import { text } from './params';
import { RunsTableModel, type SortKey } from './tableModel';

// The config view it lives in is not translated yet; the strings are marked for when it is.
const trans = nullTranslator.load('forgather_lab');

function SortHead(props: { model: RunsTableModel; sortKey: SortKey; label: string }) {
  const { model, sortKey, label } = props;
  const active = model.sort.key === sortKey;
  const dir = active ? (model.sort.descending ? 'descending' : 'ascending') : 'none';
  return (
    <th scope="col" aria-sort={dir}>
      <button
        className="jp-forgather-link-button"
        onClick={() => model.sortBy(sortKey)}
        title={trans.__('Sort by %1', label)}
      >
        {label}
        {active ? (model.sort.descending ? ' ▾' : ' ▴') : ''}
      </button>
    </th>
  );
}

function Table(props: { model: RunsTableModel }): JSX.Element {
  const { model } = props;
  const rows = model.rows;
  const selected = model.selected;
  const actions = runsActions();
  const keys = model.metricKeys;
  return (
    <div className="jp-forgather-runs" data-testid="forgather-runs-table">
      <div className="jp-forgather-compare-toolbar" role="toolbar" aria-label={trans.__('Runs')}>
        <input
          type="search"
          className="jp-mod-styled"
          placeholder={trans.__('Filter: name, status, arg=value…')}
          aria-label={trans.__('Filter runs')}
          value={model.filter}
          onChange={e => (model.filter = e.currentTarget.value)}
        />
        <span className="jp-forgather-muted">{trans.__('%1 of %2', rows.length, model.total)}</span>
        <span className="jp-forgather-spacer" />
        <button
          className="jp-forgather-button"
          disabled={selected.length < 2 || !actions}
          onClick={() => actions?.compare(selected)}
        >
          {trans.__('Compare (%1)', selected.length)}
        </button>
        <button className="jp-forgather-button" onClick={() => void model.load()}>
          {trans.__('Refresh')}
        </button>
      </div>
      {model.error && (
        <p className="jp-forgather-error" role="alert">
          {model.error}
        </p>
      )}
      {!model.loaded && <p className="jp-forgather-muted">{trans.__('Loading…')}</p>}
      {model.loaded && !model.total && !model.error && (
        <p className="jp-forgather-muted">{trans.__('No runs of this config yet.')}</p>
      )}
      {rows.length > 0 && (
        <table className="jp-forgather-compare-table" aria-label={trans.__('Runs')}>
          <thead>
            <tr>
              <th scope="col">
                <span className="jp-forgather-visually-hidden">{trans.__('Select')}</span>
              </th>
              <SortHead model={model} sortKey="name" label={trans.__('Name')} />
              <SortHead model={model} sortKey="status" label={trans.__('Status')} />
              <th scope="col">{trans.__('Dynamic args')}</th>
              <SortHead model={model} sortKey="duration" label={trans.__('Duration')} />
              <SortHead model={model} sortKey="attempt" label={trans.__('Attempt')} />
              <SortHead model={model} sortKey="created_at" label={trans.__('Created')} />
              {keys.map(k => (
                <SortHead key={k} model={model} sortKey={`metric:${k}`} label={k} />
              ))}
              <th scope="col">
                <span className="jp-forgather-visually-hidden">{trans.__('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(row => (
              <tr key={row.id} data-job-id={row.id} aria-label={row.name}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={trans.__('Select %1', row.name)}
                    checked={model.isSelected(row.id)}
                    onChange={e => model.toggle(row.id, e.currentTarget.checked)}
                  />
                </td>
                <td>
                  <button
                    className="jp-forgather-link-button"
                    onClick={() => actions?.openJob(row.id)}
                    title={row.id}
                  >
                    {row.name}
                  </button>
                </td>
                <td>
                  <StatusPill status={row.status} trans={trans} />
                </td>
                <td className="jp-forgather-runs-args">
                  {Object.entries(row.dynamic_args ?? {})
                    .map(([k, v]) => `${k}=${text(v)}`)
                    .join(' ')}
                </td>
                <td>{duration(row.duration)}</td>
                <td>{row.attempt}</td>
                <td title={new Date(row.created_at * 1000).toLocaleString()}>
                  {new Date(row.created_at * 1000).toLocaleString()}
                </td>
                {keys.map(k => {
                  const m = row.metrics[k];
                  return (
                    <td
                      key={k}
                      title={
                        m
                          ? trans.__(
                              'min %1 · max %2 · step %3',
                              num(m.min),
                              num(m.max),
                              m.last_step
                            )
                          : ''
                      }
                    >
                      {m ? num(m.last) : ''}
                    </td>
                  );
                })}
                <td>
                  <button
                    className="jp-forgather-button"
                    onClick={() => actions?.rerun(row.id)}
                    disabled={!actions}
                  >
                    {trans.__('Re-run…')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The Runs table of one config, loading when mounted. */
export function RunsTable(props: {
  client: ForgatherClient;
  projectDir: string;
  config: string | null;
}): JSX.Element {
  const { client, projectDir, config } = props;
  const model = React.useMemo(
    () => new RunsTableModel(client, projectDir, config),
    [client, projectDir, config]
  );
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const bump = () => setTick(t => t + 1);
    model.changed.connect(bump);
    void model.load();
    return () => model.dispose();
  }, [model]);
  return <Table model={model} />;
}
