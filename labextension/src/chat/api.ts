/**
 * Chat and completion over the same-origin inference proxy.
 *
 * Requests go to `{base_url}forgather/api/inference/<op>?base=<upstream>` with
 * Lab's own auth; the proxy adds the upstream token, so this code never sees
 * it. Streams are read from `response.body` as they arrive (SSE lines).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_PATH, ForgatherApiError, requestAPI } from '../api';

/** `GET /inference/servers`: a running inference server or TensorBoard. */
export interface IEndpoint {
  job_id: string;
  job_type: string;
  name: string;
  status: string;
  state: 'starting' | 'ready' | 'failed' | 'stopped';
  base_url: string | null;
  proxy_url: string | null;
  model: string | null;
  message: string | null;
}

export interface IChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface IPresetSummary {
  name: string;
  builtin: boolean;
  shadowed: boolean;
}

export type GenerationParams = Record<string, number | boolean | string | null>;

export async function listServers(): Promise<IEndpoint[]> {
  return (await requestAPI<{ servers: IEndpoint[] }>('inference/servers')).servers;
}

export async function listPresets(): Promise<IPresetSummary[]> {
  return (await requestAPI<{ presets: IPresetSummary[] }>('generation-configs')).presets;
}

export async function loadPreset(name: string): Promise<GenerationParams> {
  const body = await requestAPI<{ params: GenerationParams }>(
    `generation-configs/${encodeURIComponent(name)}`
  );
  return body.params;
}

export async function savePreset(name: string, params: GenerationParams): Promise<void> {
  await requestAPI(`generation-configs/${encodeURIComponent(name)}`, {
    method: 'PUT',
    body: JSON.stringify({ params })
  });
}

/** `GET <base>/models` through the proxy: the model ids the server offers. */
export async function listModels(base: string): Promise<string[]> {
  const body = await requestAPI<{ data: Array<{ id: string }> }>(
    `inference/models?base=${encodeURIComponent(base)}`
  );
  return body.data.map(m => m.id);
}

/**
 * POST an OpenAI request through the proxy; `onDelta` gets each streamed
 * text piece. Resolves with the full text; rejects with ForgatherApiError.
 */
export async function generate(
  op: 'chat/completions' | 'completions',
  base: string,
  body: Record<string, unknown>,
  onDelta: (text: string) => void,
  signal: AbortSignal
): Promise<string> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, API_PATH, 'inference', op) + `?base=${encodeURIComponent(base)}`;
  const init: RequestInit = { method: 'POST', body: JSON.stringify(body), signal };
  const response = await ServerConnection.makeRequest(url, init, settings);
  if (!response.ok) {
    const text = await response.text();
    let message = `${response.status} ${response.statusText}`;
    try {
      const data = JSON.parse(text) as { message?: string; error?: { message?: string } };
      message = data.message ?? data.error?.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ForgatherApiError(response.status, message);
  }
  const pick = (choice: Record<string, unknown> | undefined): string => {
    if (!choice) {
      return '';
    }
    const delta = (choice.delta ?? choice.message) as { content?: string } | undefined;
    return delta?.content ?? (choice.text as string | undefined) ?? '';
  };
  if (!body.stream || !response.body) {
    const data = (await response.json()) as { choices: Array<Record<string, unknown>> };
    const text = pick(data.choices[0]);
    onDelta(text);
    return text;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let full = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ') || line === 'data: [DONE]') {
          continue;
        }
        const data = JSON.parse(line.slice(6)) as { choices?: Array<Record<string, unknown>> };
        const piece = pick(data.choices?.[0]);
        if (piece) {
          full += piece;
          onDelta(piece);
        }
      }
    }
  }
  return full;
}
