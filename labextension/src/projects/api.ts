/**
 * Typed calls to the projects endpoints (shapes mirror forgather_lab/models/projects.py).
 */
import { requestAPI } from '../api';

export interface IProjectSummary {
  path: string;
  lab_path: string | null;
  name: string;
  description: string;
  config_prefix: string;
  default_config: string | null;
  configs: string[];
  error: string | null;
}

export interface IWorkspaceNode {
  name: string;
  description: string;
  path: string;
  lab_path: string | null;
  error: string | null;
  projects: IProjectSummary[];
  workspaces: IWorkspaceNode[];
}

export interface IProjects {
  root_dir: string | null;
  workspaces: IWorkspaceNode[];
  unaffiliated: IProjectSummary[];
}

export interface IConfigMeta {
  config: string;
  path: string | null;
  lab_path: string | null;
  config_name: string;
  config_description: string;
  config_class: string;
  has_job: boolean;
}

export interface ICounts {
  runs: number;
  checkpoints: number;
  evaluations: number;
}

export interface IOutputDir {
  config: string;
  output_dir: string | null;
  lab_path: string | null;
  exists: boolean;
  counts: ICounts | null;
}

export interface IOutputItem {
  name: string;
  path: string;
  lab_path: string | null;
}

export interface IGraph {
  nodes: { id: string; root: boolean; path: string | null; lab_path: string | null }[];
  edges: { source: string; target: string; kind: string }[];
}

export interface ITemplateGroup {
  group: string;
  templates: { name: string; path: string | null; lab_path: string | null }[];
}

/**
 * GET with a query string. `cache: 'no-cache'` (revalidate every time) instead
 * of the default 'no-store', for which Lab appends a bare `&<timestamp>`
 * cache-buster that the API's strict query models reject as an unknown field.
 */
export function get<T>(endpoint: string, query: Record<string, string>): Promise<T> {
  const qs = new URLSearchParams(query).toString();
  return requestAPI<T>(qs ? `${endpoint}?${qs}` : endpoint, { cache: 'no-cache' });
}

/** POST a JSON body. */
export function post<T>(endpoint: string, body: unknown): Promise<T> {
  return requestAPI<T>(endpoint, { method: 'POST', body: JSON.stringify(body) });
}

export type OutputKind = 'runs' | 'checkpoints' | 'evaluations';

/** The list of runs / checkpoints / evaluations under an output dir. */
export async function listOutputs(kind: OutputKind, outputDir: string): Promise<IOutputItem[]> {
  const reply = await get<Record<string, IOutputItem[]>>(`model/${kind}`, {
    output_dir: outputDir
  });
  return reply[kind] ?? [];
}
