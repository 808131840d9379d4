/**
 * The widgets' transport for the shared client: plain `fetch` and sockets on
 * the page's own origin, under its Jupyter base URL, with its token (from
 * the page config) and XSRF cookie, as `ServerConnection` would send them.
 * No `@jupyterlab/*` import: the widgets run in any anywidget host.
 */
import type { ITransport } from '../client/core';

const API = 'forgather/api/';

interface IPageConfig {
  baseUrl?: string;
  token?: string;
}

function pageConfig(): IPageConfig {
  const el = document.getElementById('jupyter-config-data');
  try {
    return el?.textContent ? (JSON.parse(el.textContent) as IPageConfig) : {};
  } catch {
    return {};
  }
}

function cookie(name: string): string | undefined {
  const match = document.cookie.match('\\b' + name + '=([^;]*)\\b');
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/** `baseUrl`: the Jupyter base URL to call (a widget's `base_url` trait); empty: the page's. */
export function pageTransport(baseUrl = ''): ITransport {
  const config = pageConfig();
  let base = baseUrl || config.baseUrl || '/';
  if (!base.endsWith('/')) {
    base += '/';
  }
  return {
    fetch(path: string, init: RequestInit): Promise<Response> {
      const headers = new Headers(init.headers);
      if (config.token) {
        headers.set('Authorization', `token ${config.token}`);
      }
      const xsrf = cookie('_xsrf');
      if (xsrf) {
        headers.set('X-XSRFToken', xsrf);
      }
      return fetch(base + API + path, { credentials: 'same-origin', ...init, headers });
    },
    socketUrl(path: string): string {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      let url = `${proto}//${location.host}${base}${API}${path}`;
      // Sockets cannot send headers: Jupyter also takes the token as ?token=.
      if (config.token) {
        url += (url.includes('?') ? '&' : '?') + `token=${encodeURIComponent(config.token)}`;
      }
      return url;
    },
    url(path: string): string {
      return base + API + path;
    }
  };
}
