/**
 * Projects, configs, outputs and workspace operations (handlers/projects.py,
 * models/projects.py).
 */
import type { ApiClient } from './core';
import type {
  AddSearchRoot,
  Checkpoint,
  CreateProject,
  CreateTemplate,
  CreateWorkspace,
  CreatedTemplate,
  DescribeConfigMeta,
  DescribeDynamicArgs,
  DescribeOutputDir,
  DescribeOverrides,
  DescribeRunSummary,
  DescribeRunTty,
  DescribeTemplateGraph,
  Evaluation,
  ListProjects,
  Run,
  SearchRoot,
  TemplateGroup
} from './schemas';

export type OutputKind = 'runs' | 'checkpoints' | 'evaluations';
export type OutputItem = Run | Checkpoint | Evaluation;

/** A config of a project: the query of every config endpoint. */
export interface IConfigRef {
  project_dir: string;
  config: string;
}

export class ProjectsApi {
  constructor(private readonly _api: ApiClient) {}

  /** The discovered tree: workspaces → projects, and the projects of no workspace. */
  tree(): Promise<ListProjects> {
    return this._api.get('projects');
  }

  meta(ref: IConfigRef): Promise<DescribeConfigMeta> {
    return this._api.get('config/meta', { query: ref });
  }

  outputDir(ref: IConfigRef): Promise<DescribeOutputDir> {
    return this._api.get('config/output-dir', { query: ref });
  }

  /** Runs, checkpoints or evaluations under an output dir. */
  async outputs(kind: OutputKind, outputDir: string): Promise<OutputItem[]> {
    const query = { output_dir: outputDir };
    switch (kind) {
      case 'runs':
        return (await this._api.get('model/runs', { query })).runs;
      case 'checkpoints':
        return (await this._api.get('model/checkpoints', { query })).checkpoints;
      case 'evaluations':
        return (await this._api.get('model/evaluations', { query })).evaluations;
    }
  }

  async readme(projectDir: string): Promise<string> {
    return (await this._api.get('project/readme', { query: { project_dir: projectDir } })).markdown;
  }

  /** The config rendered to YAML, overrides applied. */
  async rendered(ref: IConfigRef): Promise<string> {
    return (await this._api.get('config/pp', { query: ref })).yaml;
  }

  /** The templates the config uses, as a graph. */
  graph(ref: IConfigRef): Promise<DescribeTemplateGraph> {
    return this._api.get('config/trefs', { query: ref });
  }

  /** The templates on the project's search path, by group. */
  async templates(projectDir: string): Promise<TemplateGroup[]> {
    return (await this._api.get('project/templates', { query: { project_dir: projectDir } }))
      .groups;
  }

  /** The URL of a file of the project (README images). */
  assetUrl(projectDir: string, asset: string): string {
    return this._api.url('project/asset', { query: { project_dir: projectDir, asset } });
  }

  dynamicArgs(ref: IConfigRef): Promise<DescribeDynamicArgs> {
    return this._api.get('config/dynamic-args', { query: ref });
  }

  overrides(ref: IConfigRef): Promise<DescribeOverrides> {
    return this._api.get('config/overrides', { query: ref });
  }

  setOverrides(ref: IConfigRef, values: Record<string, unknown>): Promise<DescribeOverrides> {
    return this._api.post('config/overrides', { body: { ...ref, values } });
  }

  resetOverrides(ref: IConfigRef): Promise<DescribeOverrides> {
    return this._api.delete('config/overrides', { query: ref });
  }

  async newProject(body: CreateProject): Promise<void> {
    await this._api.post('workspace/new-project', { body });
  }

  newTemplate(body: CreateTemplate): Promise<CreatedTemplate> {
    return this._api.post('project/new-template', { body });
  }

  async newWorkspace(body: CreateWorkspace): Promise<void> {
    await this._api.post('workspace/new', { body });
  }

  /** Delete a file (`dir: false`) or a directory tree, confirmed by the user. */
  async deletePath(path: string, dir: boolean): Promise<void> {
    const body = { path, confirmed: true };
    await (dir
      ? this._api.post('fs/delete-dir', { body })
      : this._api.post('fs/delete-file', { body }));
  }

  async searchRoots(): Promise<SearchRoot[]> {
    return (await this._api.get('search-roots')).search_roots;
  }

  async addSearchRoot(body: AddSearchRoot): Promise<void> {
    await this._api.post('search-roots', { body });
  }

  async removeSearchRoot(path: string): Promise<void> {
    await this._api.delete('search-roots', { query: { path } });
  }

  runSummary(runDir: string): Promise<DescribeRunSummary> {
    return this._api.get('run/summary', { query: { run_dir: runDir } });
  }

  runTty(runDir: string): Promise<DescribeRunTty> {
    return this._api.get('run/tty', { query: { run_dir: runDir } });
  }
}
