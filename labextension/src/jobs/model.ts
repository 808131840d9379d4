/**
 * Jobs, the queue and the scheduler as the front end knows them.
 *
 * Fed by the one event stream (`ForgatherEvents`); while it is down a Lumino
 * Poll (standby when hidden) keeps the state fresh. Widgets only render what
 * this model holds and call its actions.
 */
import { Debouncer, Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import { type ForgatherEvents, type IForgatherEvent } from '../client/events';
import {
  type CreateJob,
  type DescribeInlineProgress,
  type DescribeJob,
  type DescribeScheduler,
  type DescribeTrainerStatus,
  type JobControl,
  TERMINAL
} from '../client/schemas';
import { type ForgatherSettings } from '../settings';

export { TERMINAL };
export type { JobControl };

/**
 * What a progress bar shows: the trainer's report, else what the log says;
 * fields merge as reports arrive (a null never erases an earlier value).
 */
export type JobProgress = Partial<
  Pick<DescribeTrainerStatus, 'progress' | 'stage' | 'step' | 'max_steps' | 'loss'> &
    Pick<DescribeInlineProgress, 'last_log'>
>;

const FAST = 3000;
const SLOW = 30000;

export class JobsModel {
  constructor(
    readonly client: ForgatherClient,
    readonly events: ForgatherEvents,
    readonly settings: ForgatherSettings
  ) {
    events.received.connect(this._onEvent, this);
    events.connectionChanged.connect(this._onConnection, this);
    settings.changed.connect(() => void this._later.invoke(), this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** A job reached done, failed or aborted while we watched. */
  get jobEnded(): ISignal<this, DescribeJob> {
    return this._jobEnded;
  }

  /** Recent jobs, newest first (queued ones included). */
  get jobs(): readonly DescribeJob[] {
    return this._jobs;
  }

  /** The queue, in dispatch order. */
  get queue(): readonly DescribeJob[] {
    return this._queue;
  }

  get scheduler(): DescribeScheduler | null {
    return this._scheduler;
  }

  get error(): string | null {
    return this._error;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  job(id: string): DescribeJob | undefined {
    return this._jobs.find(j => j.id === id) ?? this._details.get(id);
  }

  progress(id: string): JobProgress | undefined {
    return this._progress.get(id);
  }

  /** Start listening (idempotent); never called from `activate()`. */
  start(): void {
    if (this._poll) {
      return;
    }
    this.events.start();
    this._poll = new Poll({
      factory: () => this.refresh(),
      frequency: { interval: this.events.connected ? SLOW : FAST, backoff: true, max: 60000 },
      standby: 'when-hidden',
      name: 'forgather:jobs'
    });
  }

  async refresh(): Promise<void> {
    try {
      const [list, queue, scheduler] = await Promise.all([
        this.client.jobs.list({ limit: this.settings.values.recentJobs }),
        this.client.jobs.queue(),
        this.client.jobs.scheduler()
      ]);
      this._setJobs(list.jobs);
      this._queue = queue.jobs;
      this._scheduler = scheduler;
      this._error = null;
      this._loaded = true;
      await this._refreshProgress();
    } catch (error) {
      this._error = describeError(error);
    }
    this._changed.emit();
  }

  /** Fetch one job (for a job view of a job that is not in the recent list). */
  async fetchJob(id: string): Promise<DescribeJob> {
    const job = await this.client.jobs.get(id);
    this._details.set(id, job);
    this._changed.emit();
    return job;
  }

  async enqueue(body: CreateJob): Promise<DescribeJob> {
    const job = await this.client.jobs.enqueue(body);
    this.start();
    void this._later.invoke();
    return job;
  }

  async cancel(id: string): Promise<void> {
    await this.client.jobs.cancel(id);
    void this._later.invoke();
  }

  async setScheduler(enabled: boolean): Promise<void> {
    this._scheduler = await this.client.jobs.setScheduler(enabled);
    this._changed.emit();
    void this._later.invoke();
  }

  async control(id: string, action: JobControl): Promise<void> {
    await this.client.jobs.control(id, action);
    void this._later.invoke();
  }

  async remove(id: string): Promise<void> {
    await this.client.jobs.remove(id);
    void this._later.invoke();
  }

  async cleanup(): Promise<number> {
    const removed = await this.client.jobs.cleanup();
    void this._later.invoke();
    return removed;
  }

  dispose(): void {
    this._poll?.dispose();
    this._later.dispose();
    Signal.clearData(this);
  }

  private _setJobs(jobs: DescribeJob[]): void {
    for (const job of jobs) {
      const before = this._known.get(job.id);
      if (
        before &&
        !TERMINAL.has(before) &&
        TERMINAL.has(job.status) &&
        job.status !== 'cancelled'
      ) {
        this._jobEnded.emit(job);
      }
      this._known.set(job.id, job.status);
      this._details.delete(job.id);
    }
    this._jobs = jobs;
  }

  /** Progress of running jobs: the reporter's status, else the log's inline progress. */
  private async _refreshProgress(): Promise<void> {
    const running = this._jobs.filter(j => j.status === 'running');
    await Promise.all(
      running.map(async job => {
        try {
          const p: JobProgress = this._reported.has(job.id)
            ? await this.client.jobs.status(job.id)
            : await this.client.jobs.inlineProgress(job.id);
          this._mergeProgress(job.id, p);
        } catch {
          // no progress yet (or an older server): the card shows none
        }
      })
    );
  }

  private _onEvent(_: ForgatherEvents, event: IForgatherEvent): void {
    if (event.type === 'job_progress' && event.job_id) {
      // The reporter's status (`status`), or flat fields from an older server.
      const { type: _type, id: _id, job_id, status, ...flat } = event;
      const report = (status && typeof status === 'object' ? status : flat) as JobProgress;
      this._reported.add(job_id);
      this._mergeProgress(job_id, report);
      this._changed.emit();
      return;
    }
    if (event.type === 'resync') {
      void this._later.invoke();
      return;
    }
    if (event.type === 'job_status_changed' && event.job && typeof event.job === 'object') {
      const job = event.job;
      const jobs = this._jobs.some(j => j.id === job.id)
        ? this._jobs.map(j => (j.id === job.id ? job : j))
        : [job, ...this._jobs];
      this._setJobs(jobs);
      this._changed.emit();
    }
    if (/^(job|jobs|queue|scheduler)_/.test(event.type)) {
      void this._later.invoke();
    }
  }

  /** Merge what is known (nulls do not erase what an earlier report said). */
  private _mergeProgress(jobId: string, report: JobProgress): void {
    const merged: Record<string, unknown> = { ...this._progress.get(jobId) };
    for (const [key, value] of Object.entries(report)) {
      if (value !== null && value !== undefined) {
        merged[key] = value;
      }
    }
    this._progress.set(jobId, merged as JobProgress);
  }

  private _onConnection(_: ForgatherEvents, connected: boolean): void {
    if (this._poll) {
      this._poll.frequency = { ...this._poll.frequency, interval: connected ? SLOW : FAST };
    }
    if (connected) {
      void this._later.invoke();
    }
  }

  private _jobs: DescribeJob[] = [];
  private _queue: DescribeJob[] = [];
  private _scheduler: DescribeScheduler | null = null;
  private _error: string | null = null;
  private _loaded = false;
  private _known = new Map<string, DescribeJob['status']>();
  private _details = new Map<string, DescribeJob>();
  private _progress = new Map<string, JobProgress>();
  private _reported = new Set<string>();
  private _poll: Poll | null = null;
  private _later = new Debouncer(() => this.refresh(), 250);
  private _changed = new Signal<this, void>(this);
  private _jobEnded = new Signal<this, DescribeJob>(this);
}
