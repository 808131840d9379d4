/**
 * `ChatWidget`: chat with one inference server from a notebook cell,
 * rendered from a `ChatSession`: the server (`job_id` → its base URL, or
 * `base`, or a picker), the saved presets, and replies streamed through the
 * same-origin proxy. Stop, and clearing the output, abort the request.
 */
import { type IViewContext, h, showError } from './dom';
import { ChatSession } from './chatSession';
import { mdLite } from './markdown';

export function renderChat({ widget, el, life, client }: IViewContext): void {
  const session = life.own(
    new ChatSession(client, {
      base: widget.get('base') ?? '',
      jobId: widget.get('job_id') ?? '',
      maxTokens: widget.get('max_tokens') ?? 256
    })
  );
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
  pick.hidden = session.fixed;

  const turn = (role: string, text: string): HTMLElement => {
    const div = h('div', { class: `fg-turn fg-turn-${role}` });
    div.innerHTML = mdLite(text);
    log.append(div);
    log.scrollTop = log.scrollHeight;
    return div;
  };

  session.serversChanged.connect(() => {
    const { job, options } = session;
    if (options.base) {
      status.textContent = `server ${session.base}`;
    } else if (options.jobId) {
      status.textContent = job
        ? `job ${options.jobId} · ${job.model ?? job.name} · ${job.state}`
        : `job ${options.jobId}: not a running inference server`;
    } else {
      pick.replaceChildren(
        ...(session.ready.length
          ? session.ready.map(s =>
              h('option', { value: s.base_url ?? '' }, `${s.job_id} · ${s.model ?? s.name}`)
            )
          : [h('option', { value: '' }, '(no inference server ready)')])
      );
      pick.value = session.base;
      status.textContent = session.base
        ? `server ${session.base}`
        : 'no inference server ready; start one with %forgather serve MODEL';
    }
  });
  pick.onchange = () => session.pick(pick.value);
  session.loadPresets().then(
    () => {
      preset.append(
        ...session.presets.map(p =>
          h('option', { value: p.name }, p.name + (p.builtin && !p.shadowed ? '' : ' (user)'))
        )
      );
      preset.value = widget.get('preset') ?? '';
    },
    () => undefined // no presets: the list offers none
  );
  const tick = () => session.refreshServers().catch((e: unknown) => showError(status, e));
  void tick();
  life.every(widget.get('base') ? 60000 : 3000, () => void tick());

  const ask = async (): Promise<void> => {
    const text = input.value.trim();
    if (!text || session.busy) {
      return;
    }
    if (!session.base) {
      status.textContent = 'no server ready yet';
      return;
    }
    input.value = '';
    turn('user', text);
    const out = turn('assistant', '…');
    send.disabled = true;
    stop.disabled = false;
    try {
      const { reply, stopped } = await session.ask(
        text,
        system.value.trim(),
        preset.value,
        sofar => {
          out.innerHTML = mdLite(sofar);
          log.scrollTop = log.scrollHeight;
        }
      );
      if (stopped) {
        out.innerHTML = mdLite(`${reply} [stopped]`);
      } else if (!reply) {
        out.textContent = '(empty reply)';
      }
    } catch (e) {
      out.replaceChildren(
        h('span', { class: 'fg-error' }, e instanceof Error ? e.message : String(e))
      );
    }
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
  stop.onclick = () => session.stop();
  clear.onclick = () => {
    session.clear();
    log.replaceChildren();
  };
}
