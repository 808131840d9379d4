/** A run's detail panel data: the summary of its metrics log and its console tail. */
import { type ISignal, Signal } from '@lumino/signaling';

import { ForgatherApiError, type ForgatherClient, describeError } from '../client';
import type { DescribeRunSummary, DescribeRunTty } from '../client/schemas';

/** A value, or why there is none (a message), or `null` while loading. */
export type Loaded<T> = T | string | null;

export class RunModel {
  constructor(
    readonly client: ForgatherClient,
    readonly runDir: string
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  summary: Loaded<DescribeRunSummary> = null;
  tty: Loaded<DescribeRunTty> = null;

  /** (Re)load both; each says why when it cannot. */
  async load(): Promise<void> {
    const why = (e: unknown) =>
      e instanceof ForgatherApiError && e.status === 404 ? 'Not written yet.' : describeError(e);
    const { projects } = this.client;
    await Promise.all([
      projects.runSummary(this.runDir).then(
        s => (this.summary = s),
        (e: unknown) => (this.summary = why(e))
      ),
      projects.runTty(this.runDir).then(
        t => (this.tty = t),
        (e: unknown) => (this.tty = why(e))
      )
    ]);
    this._changed.emit();
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _changed = new Signal<this, void>(this);
}
