/**
 * A queued job's priority, editable in place: click (or Enter) to edit,
 * Enter saves through `PATCH /queue/{id}`, Escape or leaving the field
 * cancels. A refused value stays in the field and `onError` gets the
 * server's message (the row shows it under the job, where there is room).
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { describeError } from '../client';
import { PRIORITY_MAX, PRIORITY_MIN, parsePriority } from './actions';

export function PriorityEditor(props: {
  jobName: string;
  priority: number;
  save: (priority: number) => Promise<void>;
  onError: (message: string | null) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { jobName, priority, save, trans } = props;
  const [editing, setEditing] = React.useState(false);
  const [text, setText] = React.useState(String(priority));
  const [error, setErrorState] = React.useState<string | null>(null);
  const setError = (message: string | null) => {
    setErrorState(message);
    props.onError(message);
  };
  const [busy, setBusy] = React.useState(false);
  const input = React.useRef<HTMLInputElement>(null);

  React.useEffect(() => {
    if (editing) {
      input.current?.focus();
      input.current?.select();
    }
  }, [editing]);

  const start = () => {
    setText(String(priority));
    setError(null);
    setEditing(true);
  };
  const cancel = () => {
    setEditing(false);
    setError(null);
  };
  const commit = async () => {
    const value = parsePriority(text);
    if (value === null) {
      setError(trans.__('A whole number from %1 to %2', PRIORITY_MIN, PRIORITY_MAX));
      return;
    }
    if (value === priority) {
      cancel();
      return;
    }
    setBusy(true);
    try {
      await save(value);
      setEditing(false);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  if (!editing) {
    return (
      <button
        className="jp-forgather-priority jp-forgather-priority-button"
        title={trans.__('Priority (click to change)')}
        aria-label={trans.__('Priority of %1: %2', jobName, priority)}
        onClick={start}
      >
        {priority}
      </button>
    );
  }
  return (
    <span className="jp-forgather-priority-edit">
      <input
        ref={input}
        className="jp-forgather-priority-input jp-mod-styled"
        type="text"
        inputMode="numeric"
        value={text}
        disabled={busy}
        aria-label={trans.__('New priority of %1', jobName)}
        aria-invalid={error !== null}
        onChange={e => setText(e.currentTarget.value)}
        onKeyDown={e => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void commit();
          } else if (e.key === 'Escape') {
            // Escape would otherwise also reach Lab's shell (and close things).
            e.preventDefault();
            e.stopPropagation();
            cancel();
          }
        }}
        onBlur={() => {
          if (!busy && error === null) {
            cancel();
          }
        }}
      />
    </span>
  );
}
