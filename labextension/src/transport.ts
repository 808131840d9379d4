/**
 * The Lab's transport for the shared client: requests through
 * `ServerConnection` (Lab's base URL, token header and XSRF cookie), sockets
 * with the token Lab authenticates its own sockets with.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { ITransport } from './client/core';

const API_PATH = 'forgather/api';

/** `base/forgather/api/path?query`, the query kept out of URLExt.join's normalisation. */
function join(base: string, path: string): string {
  const cut = path.indexOf('?');
  const [route, query] = cut < 0 ? [path, ''] : [path.slice(0, cut), path.slice(cut)];
  return URLExt.join(base, API_PATH, route) + query;
}

export function labTransport(): ITransport {
  return {
    async fetch(path: string, init: RequestInit): Promise<Response> {
      const settings = ServerConnection.makeSettings();
      try {
        return await ServerConnection.makeRequest(join(settings.baseUrl, path), init, settings);
      } catch (error) {
        // makeRequest wraps every failure as a NetworkError; an abort stays an abort.
        if (init.signal?.aborted) {
          throw new DOMException('The request was aborted', 'AbortError');
        }
        throw error;
      }
    },
    socketUrl(path: string): string {
      const settings = ServerConnection.makeSettings();
      let url = join(settings.wsUrl, path);
      if (settings.token) {
        url += (url.includes('?') ? '&' : '?') + `token=${encodeURIComponent(settings.token)}`;
      }
      return url;
    },
    url(path: string): string {
      return join(ServerConnection.makeSettings().baseUrl, path);
    }
  };
}
