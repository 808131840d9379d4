/** Jobs, the queue and the scheduler (`/jobs`, `/queue`; handlers/jobs.py, queue.py, control.py). */
import type { ApiClient, Schemas } from './core';
import type {
  CreateJob,
  DescribeInlineProgress,
  DescribeJob,
  DescribeScheduler,
  DescribeTrainerStatus,
  JobControl,
  ListJobs,
  ListMetrics
} from './schemas';

// The scheduling calls of issue 14 (models/jobs.py).

/** `PATCH /queue/{id}`: fields left out are left alone. */
export type IUpdateQueuedJob = Schemas['UpdateQueuedJob'];
/** Every transition of a job, oldest first (`GET /jobs/{id}/history`). */
export type IJobHistory = Schemas['JobHistory'];
export type IJobTransition = Schemas['JobTransition'];

export interface IListJobs {
  limit?: number;
  offset?: number;
  /** Comma-separated statuses. */
  status?: string;
  /** Cluster mode: `cluster` lists every reachable node's jobs (each with its `node`). */
  scope?: 'node' | 'cluster';
}

export interface IMetricsQuery {
  /** Only points at or after this step. */
  sinceStep?: number;
  /** Comma-separated metric names (default: all). */
  names?: string;
  /** The server downsamples above this, keeping each bucket's extremes. */
  maxPoints?: number;
}

export class JobsApi {
  constructor(private readonly _api: ApiClient) {}

  /** Recent jobs, newest first. */
  list(query: IListJobs = {}): Promise<ListJobs> {
    return this._api.get('jobs', { query: { ...query, status: query.status || undefined } });
  }

  /** The queue, in dispatch order. */
  queue(): Promise<ListJobs> {
    return this._api.get('queue');
  }

  get(id: string): Promise<DescribeJob> {
    return this._api.get('jobs/{job_id}', { path: { job_id: id } });
  }

  enqueue(body: CreateJob): Promise<DescribeJob> {
    return this._api.post('queue', { body });
  }

  /** Change a queued job's priority or name; the queue reorders at once. */
  update(id: string, body: IUpdateQueuedJob): Promise<DescribeJob> {
    return this._api.patch('queue/{job_id}', { path: { job_id: id }, body });
  }

  /** Many jobs in one transaction: all are queued, or none (400); they share a `group`. */
  batch(jobs: CreateJob[]): Promise<ListJobs> {
    return this._api.post('queue/batch', { body: { jobs } });
  }

  /** One job per point of `grid` (dynamic arg → values), sharing a `group`. */
  sweep(base: CreateJob, grid: Record<string, unknown[]>): Promise<ListJobs> {
    return this._api.post('queue/sweep', { body: { base, grid } });
  }

  /** Every transition of a job, oldest first. */
  history(id: string): Promise<IJobHistory> {
    return this._api.get('jobs/{job_id}/history', { path: { job_id: id } });
  }

  cancel(id: string): Promise<DescribeJob> {
    return this._api.delete('queue/{job_id}', { path: { job_id: id } });
  }

  scheduler(): Promise<DescribeScheduler> {
    return this._api.get('queue/scheduler');
  }

  setScheduler(enabled: boolean): Promise<DescribeScheduler> {
    return this._api.post('queue/scheduler', { body: { enabled } });
  }

  async control(id: string, action: JobControl): Promise<void> {
    await this._api.post('jobs/{job_id}/control/{action}', { path: { job_id: id, action } });
  }

  async remove(id: string): Promise<void> {
    await this._api.delete('jobs/{job_id}', { path: { job_id: id } });
  }

  /** Delete finished jobs; how many went. */
  async cleanup(): Promise<number> {
    return (await this._api.post('jobs/cleanup')).removed;
  }

  /** The trainer's latest report (jobs that use forgather_lab.reporter). */
  status(id: string): Promise<DescribeTrainerStatus> {
    return this._api.get('jobs/{job_id}/status', { path: { job_id: id } });
  }

  /** Progress read from the job's log. */
  inlineProgress(id: string): Promise<DescribeInlineProgress> {
    return this._api.get('jobs/{job_id}/inline-progress', { path: { job_id: id } });
  }

  metrics(id: string, q: IMetricsQuery = {}): Promise<ListMetrics> {
    return this._api.get('jobs/{job_id}/metrics', {
      path: { job_id: id },
      query: { since_step: q.sinceStep, names: q.names, max_points: q.maxPoints }
    });
  }

  /** The end of the job's log over HTTP (capped at `maxBytes`). */
  tail(id: string, maxBytes?: number): Promise<string> {
    return this._api.text('jobs/{job_id}/tty', {
      path: { job_id: id },
      query: { max_bytes: maxBytes }
    });
  }

  /** The log WebSocket: the last `maxBytes` of backlog, then live output until the job ends. */
  logSocketUrl(id: string, maxBytes?: number): string {
    return this._api.socketUrl('jobs/{job_id}/tty', {
      path: { job_id: id },
      query: { follow: 1, max_bytes: maxBytes }
    });
  }
}
