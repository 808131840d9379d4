/**
 * The one way the front end talks to the server: `requestAPI`, with a typed
 * error that carries the server's message.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export const API_PATH = 'forgather/api';

/** An error answer from the Forgather API, with the server's own message. */
export class ForgatherApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = null
  ) {
    super(message);
    this.name = 'ForgatherApiError';
  }
}

/** `GET /forgather/api/health`. */
export interface IHealth {
  status: 'ok' | 'error';
  version: string;
  gpu_backend: string;
  gpu_count: number;
  scheduler_enabled: boolean;
  state_dir: string;
  schema_version: number | null;
  message: string | null;
}

/**
 * Call an endpoint under `{base_url}forgather/api/` and parse the JSON reply.
 *
 * A 503 whose body is JSON is returned, not thrown, when `acceptUnavailable`
 * is set: the health endpoint uses it to explain why the extension is degraded.
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  options: { acceptUnavailable?: boolean } = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, API_PATH, endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ForgatherApiError(0, `Cannot reach the Jupyter server: ${String(error)}`);
  }
  const text = await response.text();
  let data: unknown = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (response.ok || (options.acceptUnavailable && response.status === 503)) {
    return data as T;
  }
  const message =
    data !== null && typeof data === 'object' && 'message' in data
      ? String((data as { message: unknown }).message)
      : `${response.status} ${response.statusText}`;
  throw new ForgatherApiError(response.status, message, data);
}
