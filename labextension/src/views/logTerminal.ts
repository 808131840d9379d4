/**
 * A log drawn by xterm.js, as JupyterLab's terminal draws it: ANSI colours,
 * `\r` progress bars redrawn in place, text selectable while it streams, the
 * view following the tail unless the user scrolled up. Framework-free (a
 * host element in, nothing of Lumino or Lab), so the Lab's job view and the
 * notebook's `JobView` draw logs the same way.
 */
import { FitAddon } from '@xterm/addon-fit';
import { type ITheme, Terminal } from '@xterm/xterm';

import { cssVar, watchTheme } from './theme';

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

export class LogTerminal {
  constructor(scrollback = 20000) {
    this._term = new Terminal({
      convertEol: true,
      disableStdin: true,
      cursorBlink: false,
      cursorStyle: 'bar',
      scrollback,
      fontFamily: cssVar('--jp-code-font-family', 'monospace'),
      fontSize: parseInt(cssVar('--jp-code-font-size', '13'), 10) || 13,
      theme: theme()
    });
    this._term.loadAddon(this._fit);
  }

  /** Draw into `host` (once); follows the theme and the host's size until `detach()`. */
  attach(host: HTMLElement): void {
    if (!this._host) {
      this._term.open(host);
      this._host = host;
    }
    this.detach();
    this._unwatch = watchTheme(() => {
      this._term.options.theme = theme();
    });
    this._term.options.theme = theme();
    // Laid out by CSS (flex), so no Lumino resize messages: watch the node.
    this._resize = new ResizeObserver(() => this.fit());
    this._resize.observe(host);
    this.fit();
  }

  /** Stop following the theme and the size (the host left the page). */
  detach(): void {
    this._unwatch?.();
    this._unwatch = null;
    this._resize?.disconnect();
    this._resize = null;
  }

  write(data: string): void {
    this._term.write(data);
  }

  reset(): void {
    this._term.reset();
  }

  /** Fit the rows and columns to the host, on the next frame. */
  fit(): void {
    requestAnimationFrame(() => {
      const host = this._host;
      if (host && host.isConnected && host.offsetWidth > 0 && host.offsetHeight > 0) {
        try {
          this._fit.fit();
        } catch {
          // not measurable yet
        }
      }
    });
  }

  dispose(): void {
    this.detach();
    this._term.dispose();
  }

  private _term: Terminal;
  private _fit = new FitAddon();
  private _host: HTMLElement | null = null;
  private _unwatch: (() => void) | null = null;
  private _resize: ResizeObserver | null = null;
}
