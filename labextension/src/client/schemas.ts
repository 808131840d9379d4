/**
 * The API's types under the names the pydantic models give them
 * (forgather_lab/models/), aliases of the generated `components.schemas`.
 * A field added on the server appears here with `npm run generate:api`;
 * one removed or renamed breaks the build where the front end reads it.
 */
import type { Schemas } from './core';

export type { ErrorReply, Schemas } from './core';

// -- jobs, queue, scheduler (models/jobs.py, models/control.py) ---------------------------
export type DescribeJob = Schemas['DescribeJob'];
export type JobStatus = DescribeJob['status'];
export type CreateJob = Schemas['CreateJob'];
export type ListJobs = Schemas['ListJobs'];
export type JobsNode = Schemas['JobsNode'];
export type DescribeScheduler = Schemas['DescribeScheduler'];
export type CleanupResult = Schemas['CleanupResult'];
export type DescribeInlineProgress = Schemas['DescribeInlineProgress'];
export type DescribeTrainerStatus = Schemas['DescribeTrainerStatus'];
export type ListMetrics = Schemas['ListMetrics'];

// -- GPUs (models/gpus.py) -------------------------------------------------------------------
export type DescribeGpu = Schemas['DescribeGpu'];
export type DescribeGpuProcess = Schemas['DescribeGpuProcess'];
export type ListGpus = Schemas['ListGpus'];
export type UpdateGpuPolicy = Schemas['UpdateGpuPolicy'];
export type KillGpuResult = Schemas['KillGpuResult'];

// -- health (models/health.py) ---------------------------------------------------------------
export type DescribeHealth = Schemas['DescribeHealth'];

// -- projects (models/projects.py) -----------------------------------------------------------
export type ListProjects = Schemas['ListProjects'];
export type WorkspaceNode = Schemas['WorkspaceNode'];
export type ProjectSummary = Schemas['ProjectSummary'];
export type DescribeConfigMeta = Schemas['DescribeConfigMeta'];
export type DescribeOutputDir = Schemas['DescribeOutputDir'];
export type OutputCounts = Schemas['OutputCounts'];
export type Run = Schemas['Run'];
export type Checkpoint = Schemas['Checkpoint'];
export type Evaluation = Schemas['Evaluation'];
export type DescribeRunSummary = Schemas['DescribeRunSummary'];
export type DescribeRunTty = Schemas['DescribeRunTty'];
export type DescribeTemplateGraph = Schemas['DescribeTemplateGraph'];
export type GraphNode = Schemas['GraphNode'];
export type GraphEdge = Schemas['GraphEdge'];
export type TemplateGroup = Schemas['TemplateGroup'];
export type DynamicArg = Schemas['DynamicArg'];
export type DescribeDynamicArgs = Schemas['DescribeDynamicArgs'];
export type DescribeOverrides = Schemas['DescribeOverrides'];
export type SearchRoot = Schemas['SearchRoot'];
export type AddSearchRoot = Schemas['AddSearchRoot'];
export type CreateWorkspace = Schemas['CreateWorkspace'];
export type CreateProject = Schemas['CreateProject'];
export type CreateTemplate = Schemas['CreateTemplate'];
export type CreatedTemplate = Schemas['CreatedTemplate'];

// -- inference, presets, services (models/inference.py, models/services.py) -------------------
export type DescribeEndpoint = Schemas['DescribeEndpoint'];
export type PresetSummary = Schemas['PresetSummary'];
export type DescribePreset = Schemas['DescribePreset'];
export type DescribeService = Schemas['DescribeService'];
export type UpsertService = Schemas['UpsertService'];

/** The statuses a job never leaves. */
export const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'done',
  'failed',
  'aborted',
  'cancelled'
]);

/** What `POST /jobs/{id}/control/{action}` accepts. */
export type JobControl = 'save' | 'stop' | 'save-stop' | 'abort' | 'kill' | 'force-kill';
