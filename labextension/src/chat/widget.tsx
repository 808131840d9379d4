/**
 * The chat main-area panel: a Chat tab and a Completion tab over one ChatModel.
 * It only renders the model and calls its actions.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { type IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { type TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IChatMessage } from '../client/inference';
import { forgatherIcon } from '../icons';
import { Markdown } from './markdown';
import { type ChatModel } from './model';

const PARAMS: Array<{ name: string; step: number; min: number; max: number }> = [
  { name: 'temperature', step: 0.05, min: 0, max: 2 },
  { name: 'top_p', step: 0.05, min: 0, max: 1 },
  { name: 'top_k', step: 1, min: 0, max: 1000 },
  { name: 'max_tokens', step: 1, min: 1, max: 8192 },
  { name: 'repetition_penalty', step: 0.05, min: 0.5, max: 2 },
  { name: 'seed', step: 1, min: 0, max: 2 ** 31 }
];

function Settings(props: { model: ChatModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  const [preset, setPreset] = React.useState('');
  return (
    <details className="jp-forgather-chat-settings">
      <summary>{trans.__('Server, system prompt and generation parameters')}</summary>
      <label>
        {trans.__('Server')}
        <select
          aria-label={trans.__('Running inference servers')}
          value={model.servers.some(s => s.base_url === model.base) ? model.base : ''}
          onChange={e => e.target.value && model.setBase(e.target.value, true)}
        >
          <option value="">{trans.__('(pick a running server)')}</option>
          {model.servers.map(s => (
            <option key={s.job_id} value={s.base_url ?? ''} disabled={s.state !== 'ready'}>
              {`${s.name} · ${s.job_id} · ${s.state}`}
            </option>
          ))}
        </select>
      </label>
      <label>
        {trans.__('Base URL')}
        <input
          aria-label={trans.__('Base URL')}
          defaultValue={model.base}
          key={model.base}
          placeholder="http://127.0.0.1:8137/v1"
          onBlur={e => e.target.value !== model.base && model.setBase(e.target.value)}
        />
      </label>
      <label>
        {trans.__('Model')}
        <select value={model.model} onChange={e => model.update({ model: e.target.value })}>
          {model.models.map(m => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
      <label className="jp-forgather-chat-wide">
        {trans.__('System prompt')}
        <textarea
          aria-label={trans.__('System prompt')}
          value={model.system}
          rows={2}
          onChange={e => model.update({ system: e.target.value })}
        />
      </label>
      <div className="jp-forgather-chat-params">
        {PARAMS.map(p => (
          <label key={p.name}>
            {p.name}
            <input
              type="number"
              step={p.step}
              min={p.min}
              max={p.max}
              value={typeof model.params[p.name] === 'number' ? String(model.params[p.name]) : ''}
              onChange={e =>
                model.setParam(p.name, e.target.value === '' ? null : Number(e.target.value))
              }
            />
          </label>
        ))}
        <label>
          <input
            type="checkbox"
            checked={model.params.stream !== false}
            onChange={e => model.setParam('stream', e.target.checked ? null : false)}
          />
          {trans.__('stream')}
        </label>
      </div>
      <div className="jp-forgather-chat-presets">
        <select
          aria-label={trans.__('Presets')}
          value={preset}
          onChange={e => setPreset(e.target.value)}
        >
          <option value="">{trans.__('(preset)')}</option>
          {model.presets.map(p => (
            <option key={p.name} value={p.name}>
              {p.builtin ? p.name : `${p.name} *`}
            </option>
          ))}
        </select>
        <button
          className="jp-mod-styled"
          disabled={!preset}
          onClick={() => void model.applyPreset(preset)}
        >
          {trans.__('Load')}
        </button>
        <button
          className="jp-mod-styled"
          onClick={() => {
            const name = window.prompt(trans.__('Save the current parameters as preset:'), preset);
            if (name) {
              void model.saveAsPreset(name);
            }
          }}
        >
          {trans.__('Save as…')}
        </button>
      </div>
    </details>
  );
}

function Turn(props: {
  model: ChatModel;
  index: number;
  turn: IChatMessage;
  rendermime: IRenderMimeRegistry | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, index, turn, rendermime, trans } = props;
  const [editing, setEditing] = React.useState<string | null>(null);
  return (
    <li className={`jp-forgather-chat-turn jp-forgather-chat-${turn.role}`} data-role={turn.role}>
      <div className="jp-forgather-chat-role">{turn.role}</div>
      {editing !== null ? (
        <div className="jp-forgather-chat-edit">
          <textarea value={editing} onChange={e => setEditing(e.target.value)} rows={3} />
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => {
              void model.edit(index, editing);
              setEditing(null);
            }}
          >
            {turn.role === 'user' ? trans.__('Save and re-run') : trans.__('Save')}
          </button>
          <button className="jp-mod-styled" onClick={() => setEditing(null)}>
            {trans.__('Cancel')}
          </button>
        </div>
      ) : turn.role === 'assistant' ? (
        <Markdown text={turn.content || '…'} rendermime={rendermime} />
      ) : (
        <pre className="jp-forgather-chat-plain">{turn.content}</pre>
      )}
      <div className="jp-forgather-chat-turn-actions">
        <button
          className="jp-forgather-link-button"
          disabled={model.busy}
          onClick={() => setEditing(turn.content)}
        >
          {trans.__('Edit')}
        </button>
        <button
          className="jp-forgather-link-button"
          disabled={model.busy}
          onClick={() => model.remove(index)}
        >
          {trans.__('Delete')}
        </button>
      </div>
    </li>
  );
}

function ChatTab(props: {
  model: ChatModel;
  rendermime: IRenderMimeRegistry | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, rendermime, trans } = props;
  const [draft, setDraft] = React.useState('');
  const send = () => {
    void model.send(draft);
    setDraft('');
  };
  return (
    <div className="jp-forgather-chat-tab">
      <ol className="jp-forgather-chat-transcript" aria-label={trans.__('Conversation')}>
        {model.messages.map((turn, i) => (
          <Turn key={i} model={model} index={i} turn={turn} rendermime={rendermime} trans={trans} />
        ))}
      </ol>
      <div className="jp-forgather-chat-compose">
        <textarea
          aria-label={trans.__('Message')}
          placeholder={trans.__('Message (Ctrl+Enter to send)')}
          value={draft}
          rows={3}
          onChange={e => setDraft(e.target.value)}
          onKeyDown={e => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              send();
            }
          }}
        />
        <div className="jp-forgather-chat-buttons">
          {model.busy ? (
            <button className="jp-mod-styled jp-mod-warn" onClick={() => model.stop()}>
              {trans.__('Stop')}
            </button>
          ) : (
            <button className="jp-mod-styled jp-mod-accept" onClick={send} disabled={!draft.trim()}>
              {trans.__('Send')}
            </button>
          )}
          <button
            className="jp-mod-styled"
            disabled={model.busy || model.messages.length === 0}
            onClick={() => void model.regenerate()}
          >
            {trans.__('Regenerate')}
          </button>
          <button className="jp-mod-styled" disabled={model.busy} onClick={() => model.clear()}>
            {trans.__('Clear')}
          </button>
        </div>
      </div>
    </div>
  );
}

function CompletionTab(props: { model: ChatModel; trans: TranslationBundle }): JSX.Element {
  const { model, trans } = props;
  return (
    <div className="jp-forgather-chat-tab">
      <textarea
        aria-label={trans.__('Prompt')}
        className="jp-forgather-chat-prompt"
        value={model.completionPrompt}
        rows={6}
        onChange={e => model.update({ completionPrompt: e.target.value })}
      />
      <div className="jp-forgather-chat-buttons">
        {model.busy ? (
          <button className="jp-mod-styled jp-mod-warn" onClick={() => model.stop()}>
            {trans.__('Stop')}
          </button>
        ) : (
          <button className="jp-mod-styled jp-mod-accept" onClick={() => void model.complete()}>
            {trans.__('Complete')}
          </button>
        )}
      </div>
      <pre className="jp-forgather-chat-plain" aria-label={trans.__('Completion')}>
        <span className="jp-forgather-chat-prompt-echo">{model.completionPrompt}</span>
        {model.completion}
      </pre>
    </div>
  );
}

class ChatBody extends ReactWidget {
  constructor(
    readonly model: ChatModel,
    readonly rendermime: IRenderMimeRegistry | null,
    readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-forgather-chat');
  }

  private _tab: 'chat' | 'completion' = 'chat';

  protected render(): JSX.Element {
    const { model, trans } = this;
    return (
      <UseSignal signal={model.changed}>
        {() => (
          <>
            <div className="jp-forgather-chat-tabs" role="tablist">
              {(['chat', 'completion'] as const).map(tab => (
                <button
                  key={tab}
                  role="tab"
                  aria-selected={this._tab === tab}
                  className="jp-forgather-chat-tabbutton"
                  onClick={() => {
                    this._tab = tab;
                    this.update();
                  }}
                >
                  {tab === 'chat' ? trans.__('Chat') : trans.__('Completion')}
                </button>
              ))}
              <span className="jp-forgather-chat-status" role="status">
                {model.busy ? trans.__('generating…') : model.status}
              </span>
            </div>
            <Settings model={model} trans={trans} />
            {model.error && (
              <p className="jp-forgather-error" role="alert">
                {model.error}
              </p>
            )}
            {this._tab === 'chat' ? (
              <ChatTab model={model} rendermime={this.rendermime} trans={trans} />
            ) : (
              <CompletionTab model={model} trans={trans} />
            )}
          </>
        )}
      </UseSignal>
    );
  }
}

/** The main-area chat widget. */
export class ChatPanel extends MainAreaWidget<ChatBody> {
  constructor(model: ChatModel, rendermime: IRenderMimeRegistry | null, trans: TranslationBundle) {
    super({ content: new ChatBody(model, rendermime, trans) });
    this.id = 'forgather-chat';
    this.title.label = trans.__('Forgather Chat');
    this.title.icon = forgatherIcon;
    this.title.closable = true;
    void model.refresh();
  }
}
