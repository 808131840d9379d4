/**
 * A job's live log in xterm.js, as JupyterLab's terminal draws it: ANSI
 * colours, `\r` progress bars redrawn in place, text selectable while it
 * streams, the view following the tail unless the user scrolled up.
 *
 * Fed by the WebSocket `/jobs/{id}/tty?follow=1` (backlog, then live; the
 * server closes it when the job ends). When the socket cannot be opened the
 * capped tail is fetched over HTTP instead.
 */
import { FitAddon } from '@xterm/addon-fit';
import { ITheme, Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { requestAPI, wsURL } from '../api';

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** The terminal colours from the current JupyterLab theme. */
function theme(): ITheme {
  const fg = cssVar('--jp-ui-font-color0', '#000');
  return {
    background: cssVar('--jp-layout-color0', '#fff'),
    foreground: fg,
    cursor: fg,
    selectionBackground: cssVar('--jp-brand-color2', '#7fb2e5'),
    selectionForeground: fg
  };
}

export class JobLog extends Widget {
  constructor(readonly jobId: string, label: string) {
    super();
    this.addClass('jp-forgather-log');
    this.node.setAttribute('role', 'log');
    this.node.setAttribute('aria-label', label);
    this.node.setAttribute('aria-live', 'off');
    this._term = new Terminal({
      convertEol: true,
      disableStdin: true,
      cursorBlink: false,
      cursorStyle: 'bar',
      scrollback: 20000,
      fontFamily: cssVar('--jp-code-font-family', 'monospace'),
      fontSize: parseInt(cssVar('--jp-code-font-size', '13'), 10) || 13,
      theme: theme()
    });
    this._term.loadAddon(this._fit);
    this._themeObserver = new MutationObserver(() => {
      this._term.options.theme = theme();
    });
    // Laid out by CSS (flex), so no Lumino resize messages: watch the node.
    this._resizeObserver = new ResizeObserver(() => this._fitSoon());
  }

  /** Everything received so far (the tests and "copy all" read it). */
  get text(): string {
    return this._text;
  }

  /** Whether the server is still streaming. */
  get live(): boolean {
    return this._socket !== null;
  }

  /** (Re)connect; called when the view opens and when a job starts running. */
  connect(): void {
    if (this._socket || this.isDisposed) {
      return;
    }
    this._term.reset();
    this._text = '';
    let opened = false;
    const path = `jobs/${encodeURIComponent(this.jobId)}/tty?follow=1`;
    const socket = new WebSocket(wsURL(path));
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = msg => this._write(String(msg.data));
    socket.onclose = () => {
      this._socket = null;
      if (!opened) {
        void this._fetchTail();
      }
    };
    this._socket = socket;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._socket?.close();
    this._themeObserver.disconnect();
    this._resizeObserver.disconnect();
    this._term.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (!this._opened) {
      this._term.open(this.node);
      this._opened = true;
    }
    this._themeObserver.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    this._term.options.theme = theme();
    this._resizeObserver.observe(this.node);
    this._fitSoon();
  }

  protected onBeforeDetach(msg: Message): void {
    this._themeObserver.disconnect();
    this._resizeObserver.disconnect();
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._fitSoon();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._fitSoon();
  }

  private async _fetchTail(): Promise<void> {
    try {
      this._write(String(await requestAPI<string>(`jobs/${encodeURIComponent(this.jobId)}/tty`)));
    } catch (error) {
      this._write(`\x1b[31m${String(error)}\x1b[0m\n`);
    }
  }

  private _write(data: string): void {
    this._text = (this._text + data).slice(-1_000_000);
    this._term.write(data);
  }

  private _fitSoon(): void {
    requestAnimationFrame(() => {
      if (this.isAttached && this.node.offsetWidth > 0 && this.node.offsetHeight > 0) {
        try {
          this._fit.fit();
        } catch {
          // not measurable yet
        }
      }
    });
  }

  private _term: Terminal;
  private _fit = new FitAddon();
  private _socket: WebSocket | null = null;
  private _text = '';
  private _opened = false;
  private _themeObserver: MutationObserver;
  private _resizeObserver: ResizeObserver;
}
