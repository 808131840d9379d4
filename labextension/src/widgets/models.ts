/**
 * The notebook widgets' own models: what the jobs table and the job view
 * hold, fetched through the shared client and fed by the shared event
 * stream. Views render them and call their actions; they never call the
 * client themselves.
 */
import { Poll } from '@lumino/polling';
import { type ISignal, Signal } from '@lumino/signaling';

import { type ForgatherClient, describeError } from '../client';
import { ForgatherEvents } from '../client/events';
import {
  type DescribeInlineProgress,
  type DescribeJob,
  type JobControl,
  TERMINAL
} from '../client/schemas';

export type JobAction = JobControl | 'cancel';

/** `JobsTable`: a page of jobs with the inline progress of the running ones. */
export class JobsTableModel {
  constructor(readonly client: ForgatherClient) {
    this._events = new ForgatherEvents(client.transport, [
      'job_status_changed',
      'queue_changed',
      'job_progress'
    ]);
    // Events make it live (250 ms debounce); the poll is the safety net.
    this._events.received.connect(() => {
      this._pending ??= setTimeout(() => {
        this._pending = null;
        void this.refresh();
      }, 250);
    });
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  jobs: DescribeJob[] = [];
  total = 0;
  progress = new Map<string, DescribeInlineProgress>();
  error: string | null = null;

  /** What to list: how many, and which statuses (comma-separated; empty: all). */
  query = { limit: 20, status: '' };

  start(): void {
    if (this._poll || this._disposed) {
      return;
    }
    this._events.start();
    this._poll = new Poll({
      factory: () => this.refresh(),
      frequency: { interval: 5000, backoff: false },
      name: 'forgather:widget-jobs'
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    if (this._busy || this._disposed) {
      return;
    }
    this._busy = true;
    try {
      const { jobs, total } = await this.client.jobs.list(this.query);
      const progress = await Promise.all(
        jobs.map(j =>
          j.status === 'running'
            ? this.client.jobs.inlineProgress(j.id).catch(() => null)
            : Promise.resolve(null)
        )
      );
      this.jobs = jobs;
      this.total = total ?? jobs.length;
      this.progress = new Map();
      progress.forEach(p => p && this.progress.set(p.job_id, p));
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
    this._busy = false;
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  async act(job: DescribeJob, action: JobAction): Promise<void> {
    try {
      await (action === 'cancel'
        ? this.client.jobs.cancel(job.id)
        : this.client.jobs.control(job.id, action));
    } catch (e) {
      this.error = describeError(e);
      this._changed.emit();
    }
    await this.refresh();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (this._pending !== null) {
      clearTimeout(this._pending);
    }
    this._poll?.dispose();
    this._events.dispose();
    Signal.clearData(this);
  }

  private _events: ForgatherEvents;
  private _poll: Poll | null = null;
  private _pending: ReturnType<typeof setTimeout> | null = null;
  private _busy = false;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}

/** `JobView`'s header: one job's record and log progress, polled until it has ended. */
export class JobWatch {
  constructor(
    readonly client: ForgatherClient,
    readonly jobId: string
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  job: DescribeJob | null = null;
  progress: DescribeInlineProgress | null = null;
  error: string | null = null;
  /** A control's outcome ("stop sent", or the server's message). */
  notice: string | null = null;

  start(): void {
    if (this._poll || this._disposed) {
      return;
    }
    this._poll = new Poll({
      factory: () => this._tick(),
      frequency: { interval: 2000, backoff: false },
      name: `forgather:widget-job:${this.jobId}`
    });
    void this._tick();
  }

  async control(action: JobControl): Promise<void> {
    try {
      await this.client.jobs.control(this.jobId, action);
      this.notice = `${action} sent`;
    } catch (e) {
      this.notice = describeError(e);
    }
    this._changed.emit();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll?.dispose();
    Signal.clearData(this);
  }

  private async _tick(): Promise<void> {
    try {
      const job = await this.client.jobs.get(this.jobId);
      this.progress =
        job.status === 'running'
          ? await this.client.jobs.inlineProgress(this.jobId).catch(() => null)
          : null;
      this.job = job;
      this.error = null;
    } catch (e) {
      this.error = describeError(e);
    }
    if (this._disposed) {
      return;
    }
    this._changed.emit();
    if (this.job && TERMINAL.has(this.job.status)) {
      // One last look after the end, then nothing polls.
      if (this._finished) {
        this._poll?.dispose();
        this._poll = null;
      }
      this._finished = true;
    }
  }

  private _poll: Poll | null = null;
  private _finished = false;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
