/**
 * The part of anywidget's front-end API these widgets use (the model of
 * `@anywidget/types`, narrowed to what the Python traits declare).
 */

/** The synced traits of the Python classes (forgather_lab/widgets/). */
export interface ITraits {
  _view: string;
  base_url: string;
  // JobsTable
  limit: number;
  status: string;
  // JobView, ChatWidget
  job_id: string;
  metric: string;
  // ChatWidget
  base: string;
  system: string;
  preset: string;
  max_tokens: number;
}

export interface IWidgetModel {
  get<K extends keyof ITraits>(name: K): ITraits[K] | undefined;
  on(event: string, callback: () => void): void;
  off(event?: string | null, callback?: (() => void) | null): void;
}

export interface IRenderProps {
  model: IWidgetModel;
  el: HTMLElement;
}

/** What anywidget calls; `render` returns the cleanup it calls when the view goes away. */
export interface IWidgetModule {
  render(props: IRenderProps): () => void;
}
