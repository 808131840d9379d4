/**
 * `ChatWidget`'s model: which server it talks to, the presets it offers, the
 * conversation, and the reply in flight (which `stop()` and `dispose()`
 * abort; the proxy then closes the upstream). The view renders it.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import type { ForgatherClient } from '../client';
import type { IChatMessage } from '../client/inference';
import type { DescribeEndpoint, PresetSummary } from '../client/schemas';

export interface IChatOptions {
  /** An upstream API base URL to use as it is. */
  base: string;
  /** The inference job to talk to (its base URL once it is ready). */
  jobId: string;
  maxTokens: number;
}

export class ChatSession {
  constructor(
    readonly client: ForgatherClient,
    readonly options: IChatOptions
  ) {
    this.base = options.base;
  }

  /** The running servers changed (the picker, the status line). */
  get serversChanged(): ISignal<this, void> {
    return this._serversChanged;
  }

  /** The base URL replies go to; empty while none is ready. */
  base: string;
  /** Ready servers to pick from (when neither a base nor a job was given). */
  ready: DescribeEndpoint[] = [];
  /** The chosen job's row, when a job was given. */
  job: DescribeEndpoint | null = null;
  presets: PresetSummary[] = [];
  readonly turns: IChatMessage[] = [];

  get busy(): boolean {
    return this._abort !== null;
  }

  /** Whether the server is fixed (a base or a job), so there is nothing to pick. */
  get fixed(): boolean {
    return Boolean(this.options.base || this.options.jobId);
  }

  /** Ask for the running servers again (not while a reply streams). */
  async refreshServers(): Promise<void> {
    if (this.options.base || this.busy) {
      return;
    }
    const servers = await this.client.inference.servers();
    const want = this.options.jobId;
    if (want) {
      this.job = servers.find(s => s.job_id === want) ?? null;
      this.base = this.job?.state === 'ready' ? (this.job.base_url ?? '') : '';
    } else {
      this.ready = servers.filter(s => s.job_type !== 'tensorboard' && s.state === 'ready');
      if (!this.ready.some(s => s.base_url === this.base)) {
        this.base = this.ready[0]?.base_url ?? '';
      }
    }
    this._serversChanged.emit();
  }

  async loadPresets(): Promise<void> {
    this.presets = await this.client.inference.presets();
  }

  pick(base: string): void {
    this.base = base;
    this._serversChanged.emit();
  }

  /**
   * Send a user turn and stream the reply; `onDelta` gets the reply so far.
   * Resolves with the reply ('' when stopped before any text); rejects with
   * the server's message.
   */
  async ask(
    text: string,
    system: string,
    preset: string,
    onDelta: (reply: string) => void
  ): Promise<{ reply: string; stopped: boolean }> {
    const abort = new AbortController();
    this._abort = abort;
    this.turns.push({ role: 'user', content: text });
    let reply = '';
    let stopped = false;
    try {
      const inference = this.client.inference;
      const params = preset ? await inference.preset(preset) : {};
      const messages: IChatMessage[] = system
        ? [{ role: 'system', content: system }, ...this.turns]
        : [...this.turns];
      const body = { max_tokens: this.options.maxTokens, ...params, messages, stream: true };
      await inference.generate(
        'chat/completions',
        this.base,
        body,
        piece => {
          reply += piece;
          onDelta(reply);
        },
        abort.signal
      );
    } catch (e) {
      if (!(e instanceof Error && e.name === 'AbortError')) {
        this.turns.pop();
        throw e;
      }
      stopped = true;
    } finally {
      this._abort = null;
    }
    if (reply) {
      this.turns.push({ role: 'assistant', content: reply });
    } else {
      this.turns.pop();
    }
    return { reply, stopped };
  }

  stop(): void {
    this._abort?.abort();
  }

  clear(): void {
    this.turns.length = 0;
  }

  dispose(): void {
    this.stop();
    Signal.clearData(this);
  }

  private _abort: AbortController | null = null;
  private _serversChanged = new Signal<this, void>(this);
}
