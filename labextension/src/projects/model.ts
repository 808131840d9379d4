/**
 * The Projects tree's state: the discovered tree and what has been lazily
 * loaded under it. Widgets render it; nothing here touches the DOM.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import type { OutputItem, OutputKind } from '../client/projects';
import type { DescribeConfigMeta, DescribeOutputDir, ListProjects } from '../client/schemas';

export function configKey(projectDir: string, config: string): string {
  return `${projectDir}\u0000${config}`;
}

export class ProjectsModel {
  constructor(readonly client: ForgatherClient) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  tree: ListProjects | null = null;
  error: string | null = null;
  readonly expanded = new Set<string>();
  readonly meta = new Map<string, DescribeConfigMeta | string>();
  readonly outputs = new Map<string, DescribeOutputDir | string>();
  readonly items = new Map<string, OutputItem[] | string>();

  /** Load the tree once (first show), later only on refresh. */
  ensureLoaded(): void {
    if (!this.tree && !this._loading) {
      void this.refresh();
    }
  }

  /** Rediscover and drop everything loaded lazily. */
  async refresh(): Promise<void> {
    this._loading = true;
    try {
      this.tree = await this.client.projects.tree();
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
    this._loading = false;
    this.meta.clear();
    this.outputs.clear();
    this.items.clear();
    for (const key of this.expanded) {
      this._reload(key);
    }
    this._changed.emit();
  }

  isExpanded(key: string): boolean {
    return this.expanded.has(key);
  }

  /** Expand or collapse a node; expanding loads what it shows, once. */
  toggle(key: string, load?: () => Promise<void>): void {
    if (this.expanded.has(key)) {
      this.expanded.delete(key);
    } else {
      this.expanded.add(key);
      if (load) {
        this._loaders.set(key, load);
        void load().then(() => this._changed.emit());
      }
    }
    this._changed.emit();
  }

  /** Config metadata of every config of a project (when the project opens). */
  async loadProject(projectDir: string, configs: string[]): Promise<void> {
    await Promise.all(
      configs.map(async config => {
        const key = configKey(projectDir, config);
        try {
          this.meta.set(key, await this.client.projects.meta({ project_dir: projectDir, config }));
        } catch (error) {
          this.meta.set(key, describeError(error));
        }
      })
    );
  }

  /** Output dir and counts of one config (when the config opens). */
  async loadConfig(projectDir: string, config: string): Promise<void> {
    const key = configKey(projectDir, config);
    try {
      this.outputs.set(
        key,
        await this.client.projects.outputDir({ project_dir: projectDir, config })
      );
    } catch (error) {
      this.outputs.set(key, describeError(error));
    }
  }

  /** Runs / checkpoints / evaluations under an output dir (when a group opens). */
  async loadItems(outputDir: string, kind: OutputKind): Promise<void> {
    const key = `${outputDir}\u0000${kind}`;
    try {
      this.items.set(key, await this.client.projects.outputs(kind, outputDir));
    } catch (error) {
      this.items.set(key, describeError(error));
    }
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _reload(key: string): void {
    const load = this._loaders.get(key);
    if (load) {
      void load().then(() => this._changed.emit());
    }
  }

  private _loading = false;
  private _loaders = new Map<string, () => Promise<void>>();
  private _changed = new Signal<this, void>(this);
}
