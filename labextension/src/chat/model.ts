/**
 * The chat's state: upstream, model, system prompt, generation parameters and
 * the conversation; kept in localStorage so a reload keeps the history.
 * Widgets render it and call its actions; nothing else talks to the proxy.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import type { GenerationParams, IChatMessage } from '../client/inference';
import type { DescribeEndpoint, PresetSummary } from '../client/schemas';

const STORAGE_KEY = 'forgather-chat-v1';

interface IStored {
  base: string;
  baseFromJob: boolean;
  model: string;
  system: string;
  params: GenerationParams;
  messages: IChatMessage[];
  completionPrompt: string;
}

export class ChatModel {
  constructor(readonly client: ForgatherClient) {
    const stored = this._load();
    this.base = stored.base ?? '';
    this.baseFromJob = stored.baseFromJob ?? true;
    this.model = stored.model ?? '';
    this.system = stored.system ?? '';
    this.params = stored.params ?? { temperature: 0.7, max_tokens: 128, top_p: 0.9 };
    this.messages = stored.messages ?? [];
    this.completionPrompt = stored.completionPrompt ?? '';
  }

  base: string;
  baseFromJob: boolean;
  model: string;
  system: string;
  params: GenerationParams;
  messages: IChatMessage[];
  completionPrompt = '';
  completion = '';
  servers: DescribeEndpoint[] = [];
  models: string[] = [];
  presets: PresetSummary[] = [];
  busy = false;
  error: string | null = null;
  status = '';

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Re-read running servers and presets; pick the first ready server if none is set. */
  async refresh(): Promise<void> {
    try {
      const inference = this.client.inference;
      const [servers, presets] = await Promise.all([inference.servers(), inference.presets()]);
      this.servers = servers.filter(s => s.job_type === 'inference');
      this.presets = presets;
      // Follow the running servers unless the user typed a URL of their own.
      const ready = this.servers.filter(s => s.state === 'ready' && s.base_url);
      const known = ready.some(s => s.base_url === this.base);
      if (!known && ready[0] && (!this.base || this.baseFromJob)) {
        this.base = ready[0].base_url ?? '';
        this.baseFromJob = true;
      }
      if (this.base) {
        this.models = await inference.models(this.base);
        if (!this.models.includes(this.model)) {
          this.model = this.models[0] ?? '';
        }
      }
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
    this._save();
  }

  setBase(base: string, fromJob = false): void {
    this.base = base.trim();
    this.baseFromJob = fromJob;
    this.models = [];
    this._save();
    void this.refresh();
  }

  update(patch: Partial<IStored>): void {
    Object.assign(this, patch);
    this._save();
  }

  setParam(name: string, value: number | boolean | string | null): void {
    const params = Object.entries(this.params).filter(([key]) => key !== name);
    if (value !== null && value !== '') {
      params.push([name, value]);
    }
    this.params = Object.fromEntries(params);
    this._save();
  }

  async applyPreset(name: string): Promise<void> {
    try {
      this.params = await this.client.inference.preset(name);
      this.status = `preset ${name}`;
    } catch (e) {
      this.error = describeError(e);
    }
    this._save();
  }

  async saveAsPreset(name: string): Promise<void> {
    await this.client.inference.savePreset(name, this.params);
    this.presets = await this.client.inference.presets();
    this._changed.emit();
  }

  /** Send a user turn and stream the reply into a new assistant turn. */
  async send(text: string): Promise<void> {
    if (!text.trim() || this.busy) {
      return;
    }
    this.messages = [...this.messages, { role: 'user', content: text }];
    await this._reply();
  }

  /** Drop the last reply and ask again. */
  async regenerate(): Promise<void> {
    const last = this.messages.length - 1;
    if (this.busy || last < 0) {
      return;
    }
    if (this.messages[last]?.role === 'assistant') {
      this.messages = this.messages.slice(0, last);
    }
    await this._reply();
  }

  /** Replace turn `index`, drop everything after it, and (for a user turn) re-run. */
  async edit(index: number, content: string): Promise<void> {
    const turn = this.messages[index];
    if (!turn || this.busy) {
      return;
    }
    this.messages = [...this.messages.slice(0, index), { ...turn, content }];
    if (turn.role === 'user') {
      await this._reply();
    } else {
      this._save();
    }
  }

  remove(index: number): void {
    this.messages = this.messages.filter((_, i) => i !== index);
    this._save();
  }

  clear(): void {
    this.messages = [];
    this.error = null;
    this._save();
  }

  stop(): void {
    this._abort?.abort();
  }

  /** The Completion tab: raw prompt → streamed text. */
  async complete(): Promise<void> {
    if (this.busy) {
      return;
    }
    this.completion = '';
    await this._run('completions', { prompt: this.completionPrompt }, piece => {
      this.completion += piece;
    });
  }

  private async _reply(): Promise<void> {
    const turns: IChatMessage[] = this.system.trim()
      ? [{ role: 'system', content: this.system }, ...this.messages]
      : [...this.messages];
    const reply: IChatMessage = { role: 'assistant', content: '' };
    this.messages = [...this.messages, reply];
    await this._run('chat/completions', { messages: turns }, piece => {
      reply.content += piece;
    });
  }

  private async _run(
    op: 'chat/completions' | 'completions',
    body: Record<string, unknown>,
    onDelta: (piece: string) => void
  ): Promise<void> {
    if (!this.base) {
      this.error = 'Pick a running inference server or enter a base URL first.';
      this._changed.emit();
      return;
    }
    this.busy = true;
    this.error = null;
    this._abort = new AbortController();
    const started = performance.now();
    let pieces = 0;
    const stream = this.params.stream !== false;
    this._changed.emit();
    try {
      await this.client.inference.generate(
        op,
        this.base,
        { model: this.model || undefined, ...this.params, ...body, stream },
        piece => {
          pieces += 1;
          onDelta(piece);
          this._changed.emit();
        },
        this._abort.signal
      );
      this.status = `${pieces} chunk${pieces === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(1)}s`;
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') {
        this.status = 'stopped';
      } else {
        this.error = describeError(e);
      }
    } finally {
      this.busy = false;
      this._abort = null;
      this._save();
    }
  }

  private _load(): Partial<IStored> {
    try {
      return JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<IStored>;
    } catch {
      return {};
    }
  }

  private _save(): void {
    const stored: IStored = {
      base: this.base,
      baseFromJob: this.baseFromJob,
      model: this.model,
      system: this.system,
      params: this.params,
      messages: this.messages,
      completionPrompt: this.completionPrompt
    };
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    } catch {
      // storage full or disabled: the chat still works, it just is not kept
    }
    this._changed.emit();
  }

  private _abort: AbortController | null = null;
  private _changed = new Signal<this, void>(this);
}
