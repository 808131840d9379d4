/**
 * "Edit Overrides…": a form generated from a config's dynamic_args schema,
 * pre-filled with the stored values. Save posts the values (validated by the
 * server: its 400 message shows inline), Reset deletes them.
 */
import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { describeError } from '../client';
import type { DescribeDynamicArgs, DynamicArg } from '../client/schemas';
import { type OverridesModel } from './configModel';

type FormValue = string | boolean;

function isFlag(arg: DynamicArg): boolean {
  return arg.action !== null || arg.type === 'bool';
}

/** The text / checkbox value shown for a typed value. */
function toForm(arg: DynamicArg, value: unknown): FormValue {
  if (isFlag(arg)) {
    return value === true || value === 'true';
  }
  return value === null || value === undefined ? '' : String(value);
}

/**
 * The typed value to send. A number that does not parse is sent as typed so
 * that the server, which owns validation, answers with its own message.
 */
export function fromForm(arg: DynamicArg, value: FormValue): unknown {
  if (typeof value === 'boolean') {
    return value;
  }
  if (arg.choices) {
    const match = arg.choices.find(c => String(c) === value);
    return match === undefined ? value : match;
  }
  if (arg.type === 'int' || arg.type === 'float') {
    const n = Number(value.trim());
    const ok =
      value.trim() !== '' && Number.isFinite(n) && (arg.type === 'float' || Number.isInteger(n));
    return ok ? n : value;
  }
  return value;
}

function OverridesForm(props: {
  model: OverridesModel;
  onSaved: () => void;
  close: () => void;
}): JSX.Element {
  const { model } = props;
  const { config } = model.ref;
  const [schema, setSchema] = React.useState<DescribeDynamicArgs | null>(null);
  const [stored, setStored] = React.useState<Record<string, unknown>>({});
  const [form, setForm] = React.useState<Record<string, FormValue>>({});
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [version, setVersion] = React.useState(0);

  React.useEffect(() => {
    let live = true;
    model.load().then(
      ({ schema: args, stored: values }) => {
        if (!live) {
          return;
        }
        const initial: Record<string, FormValue> = {};
        for (const arg of args.args) {
          const v = arg.name in values ? values[arg.name] : (args.values[arg.name] ?? arg.default);
          initial[arg.name] = toForm(arg, v);
        }
        setSchema(args);
        setStored(values);
        setForm(initial);
      },
      (err: unknown) => live && setError(describeError(err))
    );
    return () => {
      live = false;
    };
  }, [model, version]);

  const values = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const arg of schema?.args ?? []) {
      const v = form[arg.name];
      if (v === undefined) {
        continue;
      }
      const typed = fromForm(arg, v);
      const changed = String(typed) !== String(arg.default ?? (isFlag(arg) ? false : ''));
      if (changed || arg.name in stored) {
        if (!(typed === '' && arg.type !== 'str' && arg.type !== 'path')) {
          out[arg.name] = typed;
        }
      }
    }
    return out;
  };

  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      props.onSaved();
      props.close();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const save = () => act(() => model.save(values()));
  const reset = () =>
    act(async () => {
      await model.reset();
      setVersion(v => v + 1);
    });

  if (!schema) {
    return error ? (
      <p className="jp-forgather-error" role="alert">
        {error}
      </p>
    ) : (
      <p className="jp-forgather-muted">Loading…</p>
    );
  }
  return (
    <form
      className="jp-forgather-form jp-forgather-overrides"
      aria-label={`Overrides of ${config}`}
      onSubmit={e => {
        e.preventDefault();
        void save();
      }}
    >
      {schema.args.length === 0 && (
        <p className="jp-forgather-muted">This config declares no dynamic_args.</p>
      )}
      {schema.args.map(arg => {
        const id = `jp-forgather-override-${arg.name}`;
        const v = form[arg.name];
        const set = (value: FormValue) => setForm(f => ({ ...f, [arg.name]: value }));
        let control: JSX.Element;
        if (isFlag(arg)) {
          control = (
            <input
              id={id}
              type="checkbox"
              checked={v === true}
              onChange={e => set(e.target.checked)}
            />
          );
        } else if (arg.choices) {
          control = (
            <select
              id={id}
              className="jp-mod-styled"
              value={String(v)}
              onChange={e => set(e.target.value)}
            >
              {arg.choices.map(c => (
                <option key={String(c)} value={String(c)}>
                  {String(c)}
                </option>
              ))}
            </select>
          );
        } else {
          control = (
            <input
              id={id}
              className="jp-mod-styled"
              type="text"
              inputMode={arg.type === 'int' ? 'numeric' : arg.type === 'float' ? 'decimal' : 'text'}
              value={String(v ?? '')}
              placeholder={
                arg.default === null || arg.default === undefined ? '' : String(arg.default)
              }
              onChange={e => set(e.target.value)}
            />
          );
        }
        return (
          <div key={arg.name} className="jp-forgather-form-row">
            <label htmlFor={id}>
              {arg.name} <span className="jp-forgather-chip">{arg.action ?? arg.type}</span>
              {arg.name in stored && (
                <span className="jp-forgather-chip jp-forgather-chip-set">overridden</span>
              )}
            </label>
            {control}
            <small>
              {arg.help}
              {arg.help ? ' · ' : ''}default: {String(arg.default)}
            </small>
          </div>
        );
      })}
      {error && (
        <pre className="jp-forgather-error" role="alert" data-testid="forgather-overrides-error">
          {error}
        </pre>
      )}
      <div className="jp-forgather-form-actions">
        <button
          type="button"
          className="jp-mod-styled jp-mod-reject"
          disabled={busy}
          onClick={() => void reset()}
        >
          Reset to Defaults
        </button>
        <button type="submit" className="jp-mod-styled jp-mod-accept" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}

/** Open the dialog; `onSaved` runs after a successful Save or Reset. */
export async function editOverrides(model: OverridesModel, onSaved: () => void): Promise<void> {
  const { config } = model.ref;
  let dialog: Dialog<unknown> | null = null;
  const body = ReactWidget.create(
    <OverridesForm model={model} onSaved={onSaved} close={() => dialog?.resolve(0)} />
  );
  dialog = new Dialog({
    title: `Overrides: ${config}`,
    body,
    buttons: [Dialog.cancelButton({ label: 'Close' })]
  });
  dialog.addClass('jp-forgather-overrides-dialog');
  await dialog.launch();
}
