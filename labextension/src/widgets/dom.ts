/** Small DOM helpers, the lifetime every widget view runs in, and what a view is given. */
import type { ForgatherClient } from '../client';
import type { IWidgetModel } from './anywidget';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `h('div', {class: 'x', onclick: f}, child, …)`: an element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (value !== undefined && value !== null && value !== false) {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child);
    }
  }
  return el;
}

/** A percentage bar with its label. */
export function bar(pct: number | null | undefined, label?: string): HTMLElement {
  const p = Math.max(0, Math.min(100, pct ?? 0));
  const text = label ?? `${p.toFixed(0)}%`;
  return h(
    'div',
    { class: 'fg-bar', title: text },
    h('div', { class: 'fg-bar-fill', style: `width:${p}%` }),
    h('span', {}, text)
  );
}

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** Show an error in `box` instead of what it held. */
export function showError(box: HTMLElement, error: unknown): void {
  box.replaceChildren(
    h('div', { class: 'fg-error' }, error instanceof Error ? error.message : String(error))
  );
}

/**
 * A lifetime: timers, sockets and models that all stop together, when
 * anywidget calls the cleanup `render()` returned (output cleared by a
 * re-run, widget closed, kernel restarted). Not on detach alone: Lab's
 * windowed notebook detaches cells scrolled out of view and attaches them again.
 */
export class Lifetime {
  get alive(): boolean {
    return this._alive;
  }

  /** Run `stop` when the lifetime ends. */
  add(stop: () => void): void {
    this._stops.push(stop);
  }

  /** Dispose `thing` when the lifetime ends; returns it. */
  own<T extends { dispose(): void }>(thing: T): T {
    this.add(() => thing.dispose());
    return thing;
  }

  /** Call `fn` every `ms` until the lifetime ends, or until the returned function is called. */
  every(ms: number, fn: () => void): () => void {
    const id = setInterval(fn, ms);
    const stop = () => clearInterval(id);
    this.add(stop);
    return stop;
  }

  later(ms: number, fn: () => void): void {
    const id = setTimeout(fn, ms);
    this.add(() => clearTimeout(id));
  }

  stop(): void {
    if (!this._alive) {
      return;
    }
    this._alive = false;
    for (const stop of this._stops.splice(0)) {
      try {
        stop();
      } catch {
        // one failing cleanup must not keep the others from running
      }
    }
  }

  private _alive = true;
  private _stops: Array<() => void> = [];
}

/** What a view renders with: its model's traits, its element, its lifetime, the client. */
export interface IViewContext {
  widget: IWidgetModel;
  el: HTMLElement;
  life: Lifetime;
  client: ForgatherClient;
}
