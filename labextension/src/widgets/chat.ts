/**
 * `ChatWidget`: chat with one inference server from a notebook cell.
 *
 * Resolves the server (`job_id` → its base URL from the running servers, or
 * `base`, or a picker), fills the preset list from the saved generation
 * configs and streams replies through the same-origin proxy. Stop, and
 * clearing the output, abort the request; the proxy then closes the upstream.
 */
import type { IChatMessage } from '../client/inference';
import { type IViewContext, h, showError } from './dom';
import { mdLite } from './markdown';

export function renderChat({ widget, el, life, client }: IViewContext): void {
  const inference = client.inference;
  const status = h('div', { class: 'fg-muted' }, '…');
  const pick = h('select', { title: 'inference server' });
  const preset = h(
    'select',
    { title: 'generation preset' },
    h('option', { value: '' }, '(no preset)')
  );
  const system = h('input', {
    class: 'fg-chat-system',
    placeholder: 'system prompt',
    value: widget.get('system') ?? ''
  });
  const log = h('div', { class: 'fg-chat-log' });
  const input = h('textarea', { placeholder: 'Message (Enter sends, Shift+Enter: new line)' });
  const send = h('button', { class: 'fg-btn' }, 'send');
  const stop = h('button', { class: 'fg-btn', disabled: true }, 'stop');
  const clear = h('button', { class: 'fg-btn' }, 'clear');
  el.append(
    h('div', { class: 'fg-title' }, 'Chat'),
    h('div', { class: 'fg-chat-bar' }, pick, preset, clear),
    system,
    status,
    log,
    h('div', { class: 'fg-chat-input' }, input, send, stop)
  );

  const turns: IChatMessage[] = [];
  const fixedBase = widget.get('base') ?? '';
  const wantJob = widget.get('job_id') ?? '';
  let base = fixedBase;
  let controller: AbortController | null = null;
  pick.hidden = Boolean(fixedBase || wantJob);

  const turn = (role: IChatMessage['role'], text: string): HTMLElement => {
    const div = h('div', { class: `fg-turn fg-turn-${role}` });
    div.innerHTML = mdLite(text);
    log.append(div);
    log.scrollTop = log.scrollHeight;
    return div;
  };

  const refreshServers = async (): Promise<void> => {
    if (fixedBase) {
      status.textContent = `server ${base}`;
      return;
    }
    const servers = await inference.servers();
    if (wantJob) {
      const row = servers.find(s => s.job_id === wantJob);
      base = row?.state === 'ready' ? (row.base_url ?? '') : '';
      status.textContent = row
        ? `job ${wantJob} · ${row.model ?? row.name} · ${row.state}`
        : `job ${wantJob}: not a running inference server`;
      return;
    }
    const ready = servers.filter(s => s.job_type !== 'tensorboard' && s.state === 'ready');
    const current = pick.value;
    pick.replaceChildren(
      ...(ready.length
        ? ready.map(s =>
            h('option', { value: s.base_url ?? '' }, `${s.job_id} · ${s.model ?? s.name}`)
          )
        : [h('option', { value: '' }, '(no inference server ready)')])
    );
    if (ready.some(s => s.base_url === current)) {
      pick.value = current;
    }
    base = pick.value;
    status.textContent = base
      ? `server ${base}`
      : 'no inference server ready; start one with %forgather serve MODEL';
  };
  pick.onchange = () => {
    base = pick.value;
    status.textContent = `server ${base}`;
  };
  inference.presets().then(
    presets => {
      preset.append(
        ...presets.map(p =>
          h('option', { value: p.name }, p.name + (p.builtin && !p.shadowed ? '' : ' (user)'))
        )
      );
      preset.value = widget.get('preset') ?? '';
    },
    () => undefined // no presets: the list offers none
  );
  const tick = () => {
    if (!controller) {
      refreshServers().catch((e: unknown) => showError(status, e));
    }
  };
  tick();
  life.every(fixedBase ? 60000 : 3000, tick);

  const ask = async (): Promise<void> => {
    const text = input.value.trim();
    if (!text || controller) {
      return;
    }
    if (!base) {
      status.textContent = 'no server ready yet';
      return;
    }
    input.value = '';
    turns.push({ role: 'user', content: text });
    turn('user', text);
    const out = turn('assistant', '…');
    const abort = new AbortController();
    controller = abort;
    send.disabled = true;
    stop.disabled = false;
    let reply = '';
    try {
      const params = preset.value ? await inference.preset(preset.value) : {};
      const prompt = system.value.trim();
      const messages: IChatMessage[] = prompt
        ? [{ role: 'system', content: prompt }, ...turns]
        : [...turns];
      const body = { max_tokens: widget.get('max_tokens'), ...params, messages, stream: true };
      await inference.generate(
        'chat/completions',
        base,
        body,
        piece => {
          reply += piece;
          out.innerHTML = mdLite(reply);
          log.scrollTop = log.scrollHeight;
        },
        abort.signal
      );
      if (!reply) {
        out.textContent = '(empty reply)';
      }
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') {
        out.innerHTML = mdLite(`${reply} [stopped]`);
      } else {
        out.replaceChildren(
          h('span', { class: 'fg-error' }, e instanceof Error ? e.message : String(e))
        );
      }
    }
    if (reply) {
      turns.push({ role: 'assistant', content: reply });
    } else {
      turns.pop();
    }
    controller = null;
    send.disabled = false;
    stop.disabled = true;
  };
  send.onclick = () => void ask();
  input.onkeydown = ev => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      void ask();
    }
  };
  stop.onclick = () => controller?.abort();
  clear.onclick = () => {
    turns.length = 0;
    log.replaceChildren();
  };
  // Clearing the output (or closing the widget) aborts a reply in flight.
  life.add(() => controller?.abort());
}
