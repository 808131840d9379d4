/**
 * Inference servers, generation presets and the same-origin proxy
 * (handlers/inference.py, presets.py). Requests go to
 * `inference/<op>?base=<upstream>` with the page's own auth; the proxy adds
 * the upstream token, so no front end ever sees it.
 */
import type { ApiClient } from './core';
import type { DescribeEndpoint, PresetSummary } from './schemas';

export type GenerationParams = Record<string, number | boolean | string | null>;
export type CompletionOp = 'chat/completions' | 'completions';

export interface IChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

type Choice = Record<string, unknown> | undefined;

/** The text of one choice: a streamed delta, a message or a completion. */
function pick(choice: Choice): string {
  if (!choice) {
    return '';
  }
  const delta = (choice.delta ?? choice.message) as { content?: unknown } | undefined;
  if (typeof delta?.content === 'string') {
    return delta.content;
  }
  return typeof choice.text === 'string' ? choice.text : '';
}

/** The `data:` payloads of an SSE body, as they arrive. */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, cut).replace(/\r$/, '');
      buffer = buffer.slice(cut + 1);
      if (line.startsWith('data:')) {
        yield line.slice(5).trim();
      }
    }
  }
}

export class InferenceApi {
  constructor(private readonly _api: ApiClient) {}

  /** Running inference servers and TensorBoards. */
  async servers(): Promise<DescribeEndpoint[]> {
    return (await this._api.get('inference/servers')).servers;
  }

  async presets(): Promise<PresetSummary[]> {
    return (await this._api.get('generation-configs')).presets;
  }

  async preset(name: string): Promise<GenerationParams> {
    const preset = await this._api.get('generation-configs/{name}', { path: { name } });
    return preset.params as GenerationParams;
  }

  async savePreset(name: string, params: GenerationParams): Promise<void> {
    await this._api.put('generation-configs/{name}', { path: { name }, body: { params } });
  }

  /** The model ids an upstream offers (`GET <base>/models` through the proxy). */
  async models(base: string): Promise<string[]> {
    const reply = (await this._api.get('inference/models', { query: { base } })) as {
      data?: Array<{ id: string }>;
    };
    return (reply.data ?? []).map(m => m.id);
  }

  /**
   * POST an OpenAI request through the proxy; `onDelta` gets each piece of
   * text as it streams. Resolves with the whole text; rejects with
   * `ForgatherApiError` (or an `AbortError` when `signal` aborts).
   */
  async generate(
    op: CompletionOp,
    base: string,
    body: Record<string, unknown>,
    onDelta: (text: string) => void,
    signal: AbortSignal
  ): Promise<string> {
    const args = { query: { base }, body, signal };
    const response =
      op === 'completions'
        ? await this._api.stream('inference/completions', args)
        : await this._api.stream('inference/chat/completions', args);
    if (!body.stream || !response.body) {
      const data = (await response.json()) as { choices?: Choice[] };
      const text = pick(data.choices?.[0]);
      onDelta(text);
      return text;
    }
    let full = '';
    for await (const data of sseData(response.body)) {
      if (data === '[DONE]') {
        break;
      }
      const piece = pick((JSON.parse(data) as { choices?: Choice[] }).choices?.[0]);
      if (piece) {
        full += piece;
        onDelta(piece);
      }
    }
    return full;
  }
}
