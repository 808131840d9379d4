/**
 * Detail panels for the outputs of a config: a run (summary of its metrics
 * log and the tail of its console) and a checkpoint (step, size, world size,
 * saved time, and "Serve Inference" when it is a Hugging Face checkpoint).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { type ForgatherClient, describeError } from '../client';
import type { Checkpoint, Run } from '../client/schemas';
import { RunModel } from './runModel';

export interface IDetailActions {
  openFile(labPath: string | null): void;
  /** Whether the checkpoint folder holds a `config.json` (a transformers save). */
  isHfCheckpoint(item: Checkpoint): Promise<boolean>;
  serveInference(item: Checkpoint): Promise<void>;
}

const num = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : String(v);
const real = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined ? '—' : v.toFixed(digits);

export function formatBytes(n: number | undefined): string {
  if (n === undefined) {
    return '—';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function formatTime(t: number | string | null | undefined): string {
  if (t === null || t === undefined) {
    return '—';
  }
  const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
  return isNaN(d.getTime()) ? String(t) : d.toLocaleString();
}

function Facts(props: { rows: [string, React.ReactNode][]; label: string }): JSX.Element {
  return (
    <dl className="jp-forgather-facts" aria-label={props.label}>
      {props.rows.map(([k, v]) => (
        <React.Fragment key={k}>
          <dt>{k}</dt>
          <dd data-testid={`forgather-fact-${k.toLowerCase().replace(/\s+/g, '-')}`}>{v}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

function RunDetails(props: { item: Run; model: RunModel; actions: IDetailActions }): JSX.Element {
  const { item, model } = props;
  const { summary, tty } = model;
  const s = typeof summary === 'object' ? summary : null;
  return (
    <div className="jp-forgather-details" data-testid="forgather-run-details">
      <header className="jp-forgather-config-header">
        <strong>Run {item.name}</strong>
        <span className="jp-forgather-muted">{item.path}</span>
        <span className="jp-forgather-spacer" />
        <button
          className="jp-forgather-button"
          disabled={!item.lab_path}
          onClick={() => props.actions.openFile(item.lab_path)}
        >
          Show in Editor
        </button>
      </header>
      <h4>Summary</h4>
      {summary === null && <p className="jp-forgather-muted">Loading…</p>}
      {typeof summary === 'string' && <p className="jp-forgather-muted">{summary}</p>}
      {s && (
        <Facts
          label="Run summary"
          rows={[
            ['Best loss', real(s.best_loss)],
            ['Last loss', real(s.last_loss)],
            ['Eval loss', real(s.eval_loss)],
            ['Perplexity', real(s.perplexity, 2)],
            ['Steps', s.max_steps ? `${num(s.total_steps)} / ${s.max_steps}` : num(s.total_steps)],
            ['Points', String(s.points)]
          ]}
        />
      )}
      <h4>Console{typeof tty === 'object' && tty?.truncated ? ' (tail)' : ''}</h4>
      {tty === null && <p className="jp-forgather-muted">Loading…</p>}
      {typeof tty === 'string' && <p className="jp-forgather-muted">{tty}</p>}
      {tty && typeof tty === 'object' && (
        <pre
          className="jp-forgather-yaml jp-forgather-tty"
          data-testid="forgather-run-tty"
          aria-label="Console output"
        >
          {tty.text}
        </pre>
      )}
    </div>
  );
}

function CheckpointDetails(props: { item: Checkpoint; actions: IDetailActions }): JSX.Element {
  const { item, actions } = props;
  const [hf, setHf] = React.useState<boolean | null>(null);
  const [status, setStatus] = React.useState<string | null>(null);
  React.useEffect(() => {
    let live = true;
    actions.isHfCheckpoint(item).then(
      ok => live && setHf(ok),
      () => live && setHf(false)
    );
    return () => {
      live = false;
    };
  }, [actions, item]);
  const why =
    'The inference server needs a Hugging Face checkpoint (a save_pretrained folder with config.json)';
  return (
    <div className="jp-forgather-details" data-testid="forgather-checkpoint-details">
      <header className="jp-forgather-config-header">
        <strong>Checkpoint {item.name}</strong>
        <span className="jp-forgather-muted">{item.path}</span>
      </header>
      <Facts
        label="Checkpoint"
        rows={[
          ['Step', num(item.step ?? null)],
          ['Size', formatBytes(item.size_bytes)],
          ['World size', num(item.world_size ?? null)],
          ['Saved', formatTime(item.saved_at)]
        ]}
      />
      <div className="jp-forgather-form-actions jp-forgather-details-actions">
        <button
          className="jp-forgather-button"
          disabled={hf !== true}
          title={hf === false ? why : 'Start an inference server on this checkpoint'}
          aria-describedby={hf === false ? 'jp-forgather-ckpt-why' : undefined}
          onClick={() => {
            setStatus('Queuing…');
            actions.serveInference(item).then(
              () => setStatus('Inference job queued.'),
              (e: unknown) => setStatus(describeError(e))
            );
          }}
        >
          Serve Inference
        </button>
        <button
          className="jp-forgather-button"
          disabled={!item.lab_path}
          onClick={() => actions.openFile(item.lab_path)}
        >
          Show in File Browser
        </button>
      </div>
      {hf === false && (
        <p id="jp-forgather-ckpt-why" className="jp-forgather-muted">
          {why}.
        </p>
      )}
      {status && <p role="status">{status}</p>}
    </div>
  );
}

class DetailsView extends ReactWidget {
  constructor(
    private readonly _render: () => JSX.Element,
    private readonly _run: RunModel | null
  ) {
    super();
    this.addClass('jp-forgather-details-widget');
    void _run?.load();
  }

  refresh(): void {
    void this._run?.load();
  }

  dispose(): void {
    this._run?.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return this._run ? (
      <UseSignal signal={this._run.changed}>{() => this._render()}</UseSignal>
    ) : (
      this._render()
    );
  }
}

export type DetailsItem = { kind: 'runs'; item: Run } | { kind: 'checkpoints'; item: Checkpoint };

/** A main-area tab for a run (its summary and console, loaded by a `RunModel`) or a checkpoint. */
export function createDetailsView(
  target: DetailsItem,
  actions: IDetailActions,
  client: ForgatherClient
): MainAreaWidget<DetailsView> {
  const { kind, item } = target;
  let content: DetailsView;
  if (target.kind === 'runs') {
    const model = new RunModel(client, target.item.path);
    const run = target.item;
    content = new DetailsView(
      () => <RunDetails item={run} model={model} actions={actions} />,
      model
    );
  } else {
    const checkpoint = target.item;
    content = new DetailsView(
      () => <CheckpointDetails item={checkpoint} actions={actions} />,
      null
    );
  }
  const widget = new MainAreaWidget({ content });
  widget.id = `forgather-${kind}-${encodeURIComponent(item.path)}`;
  widget.title.label = `${kind === 'runs' ? 'Run' : 'Checkpoint'}: ${item.name}`;
  widget.title.caption = item.path;
  widget.title.closable = true;
  return widget;
}
