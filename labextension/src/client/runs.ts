/**
 * Runs: compare, the runs table, re-run, provenance and export
 * (handlers/runs.py, models/runs.py).
 */
import type { ApiClient } from './core';
import type { DescribeJob, Schemas } from './schemas';

export type CompareMetrics = Schemas['CompareMetrics'];
export type ListRunsTable = Schemas['ListRunsTable'];
export type RunRow = Schemas['RunRow'];
export type MetricSummary = Schemas['MetricSummary'];
export type RerunJob = Schemas['RerunJob'];
export type DescribeProvenance = Schemas['DescribeProvenance'];

export interface ICompareQuery {
  /** Metric names (default: every metric of each job). */
  keys?: string[];
  /** Points per curve; the server downsamples with LTTB above it. */
  maxPoints?: number;
  /** x of each pair: the step (default) or the unix seconds the point was recorded at. */
  axis?: CompareAxis;
}

/** What x is in a compare answer. */
export type CompareAxis = Schemas['CompareMetrics']['axis'] & string;

export class RunsApi {
  constructor(private readonly _api: ApiClient) {}

  /** Each job's curves, downsampled on the server. */
  compare(jobIds: readonly string[], q: ICompareQuery = {}): Promise<CompareMetrics> {
    return this._api.get('metrics/compare', {
      query: {
        jobs: jobIds.join(','),
        keys: q.keys && q.keys.length ? q.keys.join(',') : undefined,
        max_points: q.maxPoints,
        // Left out for the step axis: the query an older server takes too.
        axis: q.axis === 'time' ? 'time' : undefined
      }
    });
  }

  /** One row per job of a project (or of one config), newest first. */
  list(projectDir: string, config?: string | null): Promise<ListRunsTable> {
    return this._api.get('runs', {
      query: { project_dir: projectDir, config: config ?? undefined }
    });
  }

  /** Queue the job again, with `changes`; the new job (its `rerun_of` names the old one). */
  rerun(jobId: string, changes: RerunJob = {}): Promise<DescribeJob> {
    return this._api.post('jobs/{job_id}/rerun', { path: { job_id: jobId }, body: changes });
  }

  provenance(jobId: string): Promise<DescribeProvenance> {
    return this._api.get('jobs/{job_id}/provenance', { path: { job_id: jobId }, query: {} });
  }

  /** A link that downloads the job's metrics as CSV. */
  metricsCsvUrl(jobId: string): string {
    return this._api.url('jobs/{job_id}/metrics.csv', { path: { job_id: jobId }, query: {} });
  }
}
