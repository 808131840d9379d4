/**
 * `JobsTable`: jobs with status, progress and controls, rendered from a
 * `JobsTableModel` (refreshed on the server's events, with a slow poll as a
 * safety net). A queued job shows its place in the queue and why it waits.
 */
import type { DescribeJob } from '../client/schemas';
import { type IViewContext, bar, h } from './dom';
import { type JobAction, JobsTableModel } from './models';

const ACTIONS: Partial<Record<DescribeJob['status'], JobAction[]>> = {
  queued: ['cancel'],
  starting: ['kill'],
  running: ['save', 'stop', 'abort', 'kill']
};

const COLUMNS = ['id', 'name', 'status', 'prio', 'gpus', 'progress', ''];

/** "queued #3", "running (attempt 2)": the status with what the scheduler adds. */
export function statusText(job: DescribeJob): string {
  let text: string = job.status;
  if (job.status === 'queued' && job.position) {
    text += ` #${job.position}`;
  }
  if ((job.attempt ?? 1) > 1) {
    text += ` (attempt ${job.attempt})`;
  }
  return text;
}

export function renderJobs({ widget, el, life, client }: IViewContext): void {
  const msg = h('div', { class: 'fg-muted' });
  const body = h('tbody');
  el.append(
    h('div', { class: 'fg-title' }, 'Jobs'),
    msg,
    h(
      'table',
      { class: 'fg-table' },
      h('thead', {}, h('tr', {}, ...COLUMNS.map(c => h('th', {}, c)))),
      body
    )
  );
  const model = life.own(new JobsTableModel(client));

  const row = (job: DescribeJob): HTMLElement => {
    const pct = model.progress.get(job.id)?.progress;
    const progress =
      pct !== null && pct !== undefined ? bar(pct) : job.status === 'done' ? bar(100) : '';
    const buttons = (ACTIONS[job.status] ?? []).map(action =>
      h('button', { class: 'fg-btn', onclick: () => void model.act(job, action) }, action)
    );
    const reason =
      job.status === 'queued' && job.pending_reason
        ? h('div', { class: 'fg-muted fg-reason' }, job.pending_reason)
        : null;
    return h(
      'tr',
      { 'data-job': job.id, class: `fg-${job.status}` },
      h('td', {}, h('code', {}, job.id)),
      h('td', {}, job.name, reason),
      h('td', {}, statusText(job)),
      h('td', {}, String(job.priority)),
      h('td', {}, job.gpus.join(',') || (job.requested_gpus ? `(${job.requested_gpus})` : '-')),
      h('td', {}, progress),
      h('td', {}, ...buttons)
    );
  };
  model.changed.connect(() => {
    const n = model.total;
    msg.textContent = model.error ?? `${n} job${n === 1 ? '' : 's'}`;
    body.replaceChildren(...model.jobs.map(row));
  });

  const follow = () => {
    model.query = { limit: widget.get('limit') ?? 20, status: widget.get('status') ?? '' };
    void model.refresh();
  };
  for (const trait of ['change:limit', 'change:status']) {
    widget.on(trait, follow);
    life.add(() => widget.off(trait, follow));
  }
  model.query = { limit: widget.get('limit') ?? 20, status: widget.get('status') ?? '' };
  model.start();
}
