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

/* ---- Queue, jobs and GPUs (shapes of forgather_lab/models/jobs.py, gpus.py) ---- */

export type JobStatus =
  | 'queued'
  | 'starting'
  | 'running'
  | 'done'
  | 'failed'
  | 'aborted'
  | 'cancelled';

/** A job record, from enqueue to the end (`DescribeJob`). */
export interface IJob {
  id: string;
  name: string;
  job_type: string;
  status: JobStatus;
  priority: number;
  requested_gpus: number;
  gpus: number[];
  params: Record<string, unknown>;
  pid: number | null;
  exit_code: number | null;
  error: string | null;
  log_path: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

/** `POST /queue` (`CreateJob`). */
export interface ICreateJob {
  job_type: string;
  job_params?: Record<string, unknown>;
  /** Left out: the config's own GPU count (training / eval), else 0. */
  requested_gpus?: number;
  priority: number;
  name?: string;
  project_dir?: string;
  config?: string;
  dynamic_args?: Record<string, unknown>;
}

export interface IScheduler {
  enabled: boolean;
  queued: number;
  running: number;
}

/** Live progress of a running job (`/status` or `/inline-progress`). */
export interface IJobProgress {
  progress: number | null;
  stage?: string | null;
  last_log?: string | null;
  step?: number | null;
  max_steps?: number | null;
  loss?: number | null;
}

export interface IMetricSeries {
  series: Record<string, [number, number][]>;
}

export interface IGpuProcess {
  pid: number;
  job_id: string | null;
  used_memory?: number | null;
}

export interface IGpu {
  index: number;
  name: string;
  memory_total: number;
  memory_used: number;
  utilization: number | null;
  temperature: number | null;
  power: number | null;
  processes: IGpuProcess[];
  excluded: boolean;
  disabled: boolean;
  min_priority: number;
  reserved_by: string | null;
  simulated: boolean;
}

export interface IGpuList {
  gpus: IGpu[];
  backend: string;
  simulated: boolean;
}

/** `GET /config/dynamic-args`: the Run form's schema. */
export interface IDynamicArg {
  name: string;
  type: 'int' | 'float' | 'str' | 'bool' | 'path';
  default: unknown;
  help: string;
  choices: unknown[] | null;
  action: 'store_true' | 'store_false' | null;
}

export interface IDynamicArgs {
  config: string;
  args: IDynamicArg[];
  values: Record<string, unknown>;
  ignored: string[];
}

/** A JSON body for `requestAPI`'s `init`. */
export function jsonBody(method: string, body: unknown): RequestInit {
  return { method, body: JSON.stringify(body) };
}

/**
 * `ws(s)://…/forgather/api/<endPoint>`, with the token Lab authenticates with
 * (as Lab does for its own sockets).
 */
export function wsURL(endPoint: string): string {
  const settings = ServerConnection.makeSettings();
  let url = URLExt.join(settings.wsUrl, API_PATH, endPoint);
  if (settings.token) {
    url += (url.includes('?') ? '&' : '?') + `token=${encodeURIComponent(settings.token)}`;
  }
  return url;
}
