/**
 * `JobsTable`: jobs with status, progress and controls. Refreshed on the
 * server's events (the shared event stream) with a slow poll as a safety net.
 */
import type { DescribeInlineProgress, DescribeJob, JobControl } from '../client/schemas';
import { ForgatherEvents } from '../client/events';
import { type IViewContext, bar, h } from './dom';

type Action = JobControl | 'cancel';

const ACTIONS: Partial<Record<DescribeJob['status'], Action[]>> = {
  queued: ['cancel'],
  starting: ['kill'],
  running: ['save', 'stop', 'abort', 'kill']
};

const COLUMNS = ['id', 'name', 'status', 'prio', 'gpus', 'progress', ''];

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
  const act = (job: DescribeJob, action: Action): Promise<unknown> =>
    action === 'cancel' ? client.jobs.cancel(job.id) : client.jobs.control(job.id, action);

  const row = (job: DescribeJob, progress: DescribeInlineProgress | null): HTMLElement => {
    const pct = progress?.progress;
    return h(
      'tr',
      { 'data-job': job.id, class: `fg-${job.status}` },
      h('td', {}, h('code', {}, job.id)),
      h('td', {}, job.name),
      h('td', {}, job.status),
      h('td', {}, String(job.priority)),
      h('td', {}, job.gpus.join(',') || '-'),
      h(
        'td',
        {},
        pct !== null && pct !== undefined ? bar(pct) : job.status === 'done' ? bar(100) : ''
      ),
      h(
        'td',
        {},
        ...(ACTIONS[job.status] ?? []).map(action =>
          h(
            'button',
            {
              class: 'fg-btn',
              onclick: () => {
                act(job, action).then(refresh, (e: unknown) => {
                  msg.textContent = e instanceof Error ? e.message : String(e);
                });
              }
            },
            action
          )
        )
      )
    );
  };

  let busy = false;
  const refresh = async (): Promise<void> => {
    if (busy || !life.alive) {
      return;
    }
    busy = true;
    try {
      const { jobs, total } = await client.jobs.list({
        limit: widget.get('limit') ?? 20,
        status: widget.get('status') ?? ''
      });
      const progress = await Promise.all(
        jobs.map(j =>
          j.status === 'running'
            ? client.jobs.inlineProgress(j.id).catch(() => null)
            : Promise.resolve(null)
        )
      );
      const n = total ?? jobs.length;
      msg.textContent = `${n} job${n === 1 ? '' : 's'}`;
      body.replaceChildren(...jobs.map((job, i) => row(job, progress[i] ?? null)));
    } catch (e) {
      msg.textContent = e instanceof Error ? e.message : String(e);
    }
    busy = false;
  };

  // Events make it live; the slow poll is the safety net (and the fallback without them).
  const events = life.own(
    new ForgatherEvents(client.transport, ['job_status_changed', 'queue_changed', 'job_progress'])
  );
  let pending: ReturnType<typeof setTimeout> | null = null;
  events.received.connect(() => {
    pending ??= setTimeout(() => {
      pending = null;
      void refresh();
    }, 250);
  });
  life.add(() => {
    if (pending !== null) {
      clearTimeout(pending);
    }
  });
  for (const trait of ['limit', 'status']) {
    const onChange = () => void refresh();
    widget.on(`change:${trait}`, onChange);
    life.add(() => widget.off(`change:${trait}`, onChange));
  }
  events.start();
  life.every(5000, () => void refresh());
  void refresh();
}
