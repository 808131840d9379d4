/**
 * What a user tunes in Settings → Settings Editor → Forgather
 * (schema/plugin.json), with its defaults. Models read the current values;
 * `changed` fires when the user edits them, so they apply without a reload.
 * Widgets, which have no settings registry, run on the defaults.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { type ISignal, Signal } from '@lumino/signaling';

export interface IForgatherOptions {
  /** The priority the Run… and New Command Job dialogs start with. */
  defaultPriority: number;
  /** How much of a job's log the log view loads before following it. */
  logBacklogBytes: number;
  /** Points per metric curve; the server downsamples above this. */
  chartMaxPoints: number;
  /** How often GPUs are asked for while their live stream is down. */
  gpuPollSeconds: number;
  /** How many recent jobs the Jobs section lists. */
  recentJobs: number;
  /** Whether a job ending shows a notification. */
  notifyJobEnd: boolean;
}

export const DEFAULT_OPTIONS: Readonly<IForgatherOptions> = {
  defaultPriority: 0,
  logBacklogBytes: 1024 * 1024,
  chartMaxPoints: 2000,
  gpuPollSeconds: 5,
  recentJobs: 50,
  notifyJobEnd: true
};

/** Clamp a number read from the settings into `[min, max]`, else the default. */
function int(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(max, Math.max(min, Math.round(value)))
    : fallback;
}

export class ForgatherSettings {
  get values(): Readonly<IForgatherOptions> {
    return this._values;
  }

  get changed(): ISignal<this, Readonly<IForgatherOptions>> {
    return this._changed;
  }

  /**
   * Follow the plugin's settings in the registry. Not awaited by `activate()`:
   * until they load, the defaults apply.
   */
  async follow(registry: ISettingRegistry, pluginId: string): Promise<void> {
    const settings = await registry.load(pluginId);
    this._apply(settings.composite);
    settings.changed.connect(() => this._apply(settings.composite));
  }

  private _apply(raw: Partial<Record<keyof IForgatherOptions, unknown>>): void {
    const d = DEFAULT_OPTIONS;
    this._values = {
      defaultPriority: int(raw.defaultPriority, d.defaultPriority, -1000, 1000),
      logBacklogBytes: int(raw.logBacklogBytes, d.logBacklogBytes, 1024, 1024 * 1024),
      chartMaxPoints: int(raw.chartMaxPoints, d.chartMaxPoints, 2, 100000),
      gpuPollSeconds: int(raw.gpuPollSeconds, d.gpuPollSeconds, 1, 600),
      recentJobs: int(raw.recentJobs, d.recentJobs, 1, 1000),
      notifyJobEnd: typeof raw.notifyJobEnd === 'boolean' ? raw.notifyJobEnd : d.notifyJobEnd
    };
    this._changed.emit(this._values);
  }

  private _values: IForgatherOptions = { ...DEFAULT_OPTIONS };
  private _changed = new Signal<this, Readonly<IForgatherOptions>>(this);
}
