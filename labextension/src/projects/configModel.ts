/**
 * What the config view and the overrides dialog show of one config, loaded
 * from the server; the views render it and call its actions.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import type { IConfigRef } from '../client/projects';
import type {
  DescribeConfigMeta,
  DescribeDynamicArgs,
  DescribeTemplateGraph,
  TemplateGroup
} from '../client/schemas';

export interface IConfigData {
  meta: DescribeConfigMeta;
  readme: string;
  yaml: string;
  graph: DescribeTemplateGraph;
  groups: TemplateGroup[];
}

/** The config view's data: metadata, README, rendered YAML and templates. */
export class ConfigViewModel {
  constructor(
    readonly client: ForgatherClient,
    readonly ref: IConfigRef
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  data: IConfigData | null = null;
  error: string | null = null;

  /** (Re)load everything the view shows. */
  async load(): Promise<void> {
    const { projects } = this.client;
    const dir = this.ref.project_dir;
    try {
      const [meta, readme, yaml, graph, groups] = await Promise.all([
        projects.meta(this.ref),
        projects.readme(dir),
        projects.rendered(this.ref),
        projects.graph(this.ref),
        projects.templates(dir)
      ]);
      this.data = { meta, readme, yaml, graph, groups };
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
    this._changed.emit();
  }

  /** The URL of a file of the project (README images). */
  assetUrl(asset: string): string {
    return this.client.projects.assetUrl(this.ref.project_dir, asset);
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _changed = new Signal<this, void>(this);
}

/** The overrides dialog's data: the dynamic_args schema and the stored values. */
export class OverridesModel {
  constructor(
    readonly client: ForgatherClient,
    readonly ref: IConfigRef
  ) {}

  /** Both, read together. */
  async load(): Promise<{ schema: DescribeDynamicArgs; stored: Record<string, unknown> }> {
    const [schema, overrides] = await Promise.all([
      this.client.projects.dynamicArgs(this.ref),
      this.client.projects.overrides(this.ref)
    ]);
    return { schema, stored: overrides.values };
  }

  /** Store values (the server validates; its 400 message is the rejection). */
  async save(values: Record<string, unknown>): Promise<void> {
    await this.client.projects.setOverrides(this.ref, values);
  }

  async reset(): Promise<void> {
    await this.client.projects.resetOverrides(this.ref);
  }
}
