/**
 * What the Queue section does to a queued job besides cancelling it: change
 * its priority (`PATCH /queue/{id}`), or move it to the top of the queue.
 * The jobs model refreshes right after, and again on the server's
 * `queue_changed` event, so the list reorders as soon as the server has.
 */
import type { DescribeJob } from '../client/schemas';
import type { JobsModel } from '../jobs/model';

/** The bounds `CreateJob.priority` and `UpdateQueuedJob.priority` take. */
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;

/** Parse what a user typed as a priority; null when it is no whole number in bounds. */
export function parsePriority(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[-+]?\d+$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return value >= PRIORITY_MIN && value <= PRIORITY_MAX ? value : null;
}

/**
 * The priority that puts `job` first: one above the highest other queued
 * job's (ties keep submission order, so equal is not enough), capped at the
 * maximum; null when it is first already.
 */
export function topPriority(job: DescribeJob, queue: readonly DescribeJob[]): number | null {
  const others = queue.filter(j => j.id !== job.id).map(j => j.priority);
  if (others.length === 0 || queue[0]?.id === job.id || job.priority > Math.max(...others)) {
    return null;
  }
  return Math.min(PRIORITY_MAX, Math.max(...others) + 1);
}

export async function setPriority(model: JobsModel, id: string, priority: number): Promise<void> {
  await model.client.jobs.update(id, { priority });
  await model.refresh();
}

/** Move `job` to the top; false when it was there already. */
export async function moveToTop(model: JobsModel, job: DescribeJob): Promise<boolean> {
  const priority = topPriority(job, model.queue);
  if (priority === null) {
    return false;
  }
  await setPriority(model, job.id, priority);
  return true;
}
