/**
 * The one HTTP client of both front ends (the Lab plugin and the notebook
 * widgets), typed by the contract: every call names an endpoint as
 * docs/openapi.json spells it (`'jobs/{job_id}'`), and its path parameters,
 * query, body and reply are the generated types of that operation.
 *
 * How a request reaches the server is the transport's business: the Lab
 * sends it through `ServerConnection` (its token, XSRF and base URL), a
 * widget through a plain `fetch` with the page's credentials. Nothing here
 * imports JupyterLab, so the widget bundle can use it in any anywidget host.
 */
import type { components, paths } from '../generated/openapi';

/** The generated schema types, by their pydantic names. */
export type Schemas = components['schemas'];

/** Every error reply (`{"message", "reason"}`, models/base.py `ErrorReply`). */
export type ErrorReply = Schemas['ErrorReply'];

type Prefix = '/forgather/api/';
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** An endpoint under `/forgather/api/` as the contract spells it. */
export type Endpoint = {
  [P in keyof paths]: P extends `${Prefix}${infer E}` ? E : never;
}[keyof paths];

type Item<E extends Endpoint> = paths[`${Prefix}${E}`];
type Operation<E extends Endpoint, M extends Method> = NonNullable<Item<E>[M]>;

/** The endpoints that answer `method`. */
export type EndpointFor<M extends Method> = {
  [E in Endpoint]: Item<E>[M] extends { responses: unknown } ? E : never;
}[Endpoint];

type Parameters_<O> = O extends { parameters: infer P } ? P : never;
type PathOf<O> = Parameters_<O> extends { path: infer X } ? X : never;
type QueryOf<O> = Parameters_<O> extends { query?: infer Q } ? Q : never;
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : never;
type Responses<O> = O extends { responses: infer R } ? R : never;
type Success<R> = R extends { 200: infer X } ? X : R extends { 201: infer X } ? X : never;

/** The JSON an operation answers with when it succeeds (`void` for 204). */
export type ReplyOf<O> =
  Responses<O> extends { 204: unknown }
    ? undefined
    : Success<Responses<O>> extends { content: { 'application/json': infer J } }
      ? J
      : unknown;

type Required_<K extends string, T> = [T] extends [never] ? unknown : { [_ in K]: T };
type Optional_<K extends string, T> = [T] extends [never]
  ? unknown
  : [T] extends [undefined]
    ? unknown
    : { [_ in K]?: T };

/** What a call of an operation takes, besides the endpoint. */
export type ArgsOf<O> = Required_<'path', PathOf<O>> &
  (undefined extends QueryOf<O>
    ? Optional_<'query', Exclude<QueryOf<O>, undefined>>
    : Required_<'query', QueryOf<O>>) &
  Required_<'body', BodyOf<O>> &
  IRequestOptions;

/** Options that every call accepts. */
export interface IRequestOptions {
  signal?: AbortSignal;
  /** Answer these error statuses' bodies instead of throwing (health's 503). */
  accept?: number[];
}

type CallArgs<O> = object extends ArgsOf<O> ? [args?: ArgsOf<O>] : [args: ArgsOf<O>];

/** How requests reach the server; see `labTransport` and the widgets' `pageTransport`. */
export interface ITransport {
  /** `fetch` a path relative to `{base_url}forgather/api/` (query included). */
  fetch(path: string, init: RequestInit): Promise<Response>;
  /** The `ws(s)://` URL of a path relative to `{base_url}forgather/api/`. */
  socketUrl(path: string): string;
  /** The `http(s)` URL of a path, for links and images (no credentials attached). */
  url(path: string): string;
}

/** An error answer from the Forgather API, with the server's own message. */
export class ForgatherApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string | null = null,
    readonly body: unknown = null
  ) {
    super(message);
    this.name = 'ForgatherApiError';
  }
}

/** The message to show for any error a call may throw. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `{message, reason}` from an error body; an OpenAI-style `{error: {message}}` too. */
export function errorOf(status: number, statusText: string, data: unknown): ForgatherApiError {
  let message = `${status} ${statusText}`.trim();
  let reason: string | null = null;
  if (data !== null && typeof data === 'object') {
    const body = data as Partial<ErrorReply> & { error?: { message?: unknown } };
    if (typeof body.message === 'string') {
      message = body.message;
    } else if (body.error && typeof body.error.message === 'string') {
      message = body.error.message;
    }
    reason = typeof body.reason === 'string' ? body.reason : null;
  } else if (typeof data === 'string' && data.trim() && data.length < 500) {
    message = `${message}: ${data.trim()}`;
  }
  return new ForgatherApiError(status, message, reason, data);
}

/** `endpoint` with its `{name}` parameters filled and its query appended. */
export function pathOf(
  endpoint: string,
  path?: Record<string, string | number>,
  query?: Record<string, unknown>
): string {
  const filled = endpoint.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = path?.[name];
    if (value === undefined) {
      throw new Error(`${endpoint}: no value for {${name}}`);
    }
    return encodeURIComponent(String(value));
  });
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) {
      qs.set(key, String(value));
    }
  }
  const tail = qs.toString();
  return tail ? `${filled}?${tail}` : filled;
}

async function parse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Typed calls to `/forgather/api/…` over one transport. */
export class ApiClient {
  constructor(readonly transport: ITransport) {}

  get<E extends EndpointFor<'get'>>(
    endpoint: E,
    ...args: CallArgs<Operation<E, 'get'>>
  ): Promise<ReplyOf<Operation<E, 'get'>>> {
    return this._call('GET', endpoint, args[0]) as Promise<ReplyOf<Operation<E, 'get'>>>;
  }

  post<E extends EndpointFor<'post'>>(
    endpoint: E,
    ...args: CallArgs<Operation<E, 'post'>>
  ): Promise<ReplyOf<Operation<E, 'post'>>> {
    return this._call('POST', endpoint, args[0]) as Promise<ReplyOf<Operation<E, 'post'>>>;
  }

  put<E extends EndpointFor<'put'>>(
    endpoint: E,
    ...args: CallArgs<Operation<E, 'put'>>
  ): Promise<ReplyOf<Operation<E, 'put'>>> {
    return this._call('PUT', endpoint, args[0]) as Promise<ReplyOf<Operation<E, 'put'>>>;
  }

  patch<E extends EndpointFor<'patch'>>(
    endpoint: E,
    ...args: CallArgs<Operation<E, 'patch'>>
  ): Promise<ReplyOf<Operation<E, 'patch'>>> {
    return this._call('PATCH', endpoint, args[0]) as Promise<ReplyOf<Operation<E, 'patch'>>>;
  }

  delete<E extends EndpointFor<'delete'>>(
    endpoint: E,
    ...args: CallArgs<Operation<E, 'delete'>>
  ): Promise<ReplyOf<Operation<E, 'delete'>>> {
    return this._call('DELETE', endpoint, args[0]) as Promise<ReplyOf<Operation<E, 'delete'>>>;
  }

  /** GET a text endpoint (a log tail): the body as it came. */
  async text<E extends EndpointFor<'get'>>(
    endpoint: E,
    ...args: CallArgs<Operation<E, 'get'>>
  ): Promise<string> {
    const response = await this.send('GET', endpoint, args[0]);
    const text = await response.text();
    if (!response.ok) {
      throw errorOf(response.status, response.statusText, text);
    }
    return text;
  }

  /**
   * Send a request and hand back the raw response (streams read its body);
   * an error status is thrown as `ForgatherApiError`.
   */
  async stream<E extends EndpointFor<'post'>>(
    endpoint: E,
    ...args: CallArgs<Operation<E, 'post'>>
  ): Promise<Response> {
    const response = await this.send('POST', endpoint, args[0]);
    if (!response.ok) {
      throw errorOf(response.status, response.statusText, await parse(response));
    }
    return response;
  }

  /** The `ws(s)://` URL of an endpoint (a WebSocket). */
  socketUrl<E extends EndpointFor<'get'>>(endpoint: E, ...args: CallArgs<Operation<E, 'get'>>) {
    const a = args[0] as { path?: Record<string, string>; query?: Record<string, unknown> };
    return this.transport.socketUrl(pathOf(endpoint, a?.path, a?.query));
  }

  /** The `http(s)` URL of an endpoint (an image, a link). */
  url<E extends EndpointFor<'get'>>(endpoint: E, ...args: CallArgs<Operation<E, 'get'>>) {
    const a = args[0] as { path?: Record<string, string>; query?: Record<string, unknown> };
    return this.transport.url(pathOf(endpoint, a?.path, a?.query));
  }

  protected async send(method: string, endpoint: string, args: unknown): Promise<Response> {
    const a = (args ?? {}) as {
      path?: Record<string, string | number>;
      query?: Record<string, unknown>;
      body?: unknown;
      signal?: AbortSignal;
    };
    // 'no-cache' (revalidate every time) rather than Lab's default 'no-store',
    // for which it appends a bare `&<timestamp>` that strict query models refuse.
    const init: RequestInit = { method, cache: 'no-cache' };
    if (a.body !== undefined) {
      init.body = JSON.stringify(a.body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    if (a.signal) {
      init.signal = a.signal;
    }
    try {
      return await this.transport.fetch(pathOf(endpoint, a.path, a.query), init);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') {
        throw error;
      }
      throw new ForgatherApiError(0, `Cannot reach the Jupyter server: ${describeError(error)}`);
    }
  }

  private async _call(method: string, endpoint: string, args: unknown): Promise<unknown> {
    const response = await this.send(method, endpoint, args);
    const data = await parse(response);
    const accept = (args as IRequestOptions | undefined)?.accept ?? [];
    if (response.ok || accept.includes(response.status)) {
      return data;
    }
    throw errorOf(response.status, response.statusText, data);
  }
}
