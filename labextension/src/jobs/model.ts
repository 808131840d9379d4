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
  type JobsNode,
  TERMINAL
} from '../client/schemas';
import { sharedCluster } from '../cluster/shared';
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
/** Cluster mode, while a peer's job is queued or running. */
const PEER = 5000;

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

  /**
   * Cluster mode: every node asked for the list (`GET /jobs?scope=cluster`),
   * reachable or not, this node first; null standalone.
   */
  get nodes(): readonly JobsNode[] | null {
    return this._nodes;
  }

  /** Whether a job is this node's own (standalone: every job is). */
  isLocal(job: DescribeJob): boolean {
    const self = this._nodes?.find(n => n.is_self)?.node_id;
    return !self || job.node === self || job.node === 'local';
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
    // Cluster mode (known once the cluster model has asked): list every node's jobs.
    // and list again when a peer comes or goes (its jobs appear, or the notice names it).
    sharedCluster()?.changed.connect(() => {
      const cluster = sharedCluster()?.cluster;
      const key = cluster?.enabled
        ? cluster.members
            .filter(m => m.reachable)
            .map(m => m.node_id)
            .sort()
            .join(',')
        : null;
      if (key !== this._members) {
        this._members = key;
        void this._later.invoke();
      }
    }, this);
    this._poll = new Poll({
      factory: () => this.refresh(),
      frequency: { interval: this._interval(), backoff: true, max: 60000 },
      standby: 'when-hidden',
      name: 'forgather:jobs'
    });
  }

  async refresh(): Promise<void> {
    // Refreshes overlap (events, the poll, an action's own refresh) and their
    // answers may arrive out of order: an older answer must not undo a newer one
    // (a queue would jump back to its order before a priority change).
    const seq = ++this._refreshSeq;
    try {
      const [list, queue, scheduler] = await Promise.all([
        this.client.jobs.list({
          limit: this.settings.values.recentJobs,
          scope: sharedCluster()?.enabled ? 'cluster' : undefined
        }),
        this.client.jobs.queue(),
        this.client.jobs.scheduler()
      ]);
      if (seq < this._appliedSeq) {
        return;
      }
      this._appliedSeq = seq;
      this._setJobs(list.jobs);
      this._nodes = list.nodes ?? null;
      this._queue = queue.jobs;
      this._scheduler = scheduler;
      this._error = null;
      this._loaded = true;
      await this._refreshProgress();
      if (this._poll && this._poll.frequency.interval !== this._interval()) {
        this._poll.frequency = { ...this._poll.frequency, interval: this._interval() };
      }
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
    // A peer's progress is not forwarded: its job view has its log and metrics.
    const running = this._jobs.filter(j => j.status === 'running' && this.isLocal(j));
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

  /**
   * How often to list again: often while the event stream is down; in cluster
   * mode often while a peer's job is under way (a peer's events do not reach
   * this Lab); else seldom, the stream says what changes.
   */
  private _interval(): number {
    if (!this.events.connected) {
      return FAST;
    }
    const peerActive =
      this._nodes !== null && this._jobs.some(j => !this.isLocal(j) && !TERMINAL.has(j.status));
    return peerActive ? PEER : SLOW;
  }

  private _onConnection(_: ForgatherEvents, connected: boolean): void {
    if (this._poll) {
      this._poll.frequency = { ...this._poll.frequency, interval: this._interval() };
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
  private _nodes: JobsNode[] | null = null;
  /** The reachable members when last listed (null: standalone, or not known yet). */
  private _members: string | null = null;
  private _known = new Map<string, DescribeJob['status']>();
  private _details = new Map<string, DescribeJob>();
  private _progress = new Map<string, JobProgress>();
  private _reported = new Set<string>();
  private _poll: Poll | null = null;
  private _later = new Debouncer(() => this.refresh(), 250);
  private _refreshSeq = 0;
  private _appliedSeq = 0;
  private _changed = new Signal<this, void>(this);
  private _jobEnded = new Signal<this, DescribeJob>(this);
}
