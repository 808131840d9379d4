/**
 * The Jobs section of the sidebar: running and finished jobs as cards. Each
 * card has a check box; with two or more ticked, "Compare" opens them side
 * by side (shift-click a box to tick the range since the last one).
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import type { DescribeJob } from '../client/schemas';
import { ClusterJobsList } from '../cluster/clusterJobs';
import { ALL_NODES, NodeChip, NodeFilter, UnreachableNotice, nodeOf } from '../cluster/jobsByNode';
import { type ClusterModel } from '../cluster/model';
import { useCluster } from '../cluster/shared';
import { CommandIDs } from '../commands';
import { RunsCommandIDs } from '../runs/commands';
import { ProgressBar, StatusPill, ago, gpuText, openCommandMenu } from './components';
import { JobOwner } from '../pool';
import { type JobsModel, TERMINAL } from './model';

/**
 * What the context menu and the actions button of a job offer. A peer's job
 * (cluster mode, `local` false): open, control and cancel are forwarded to its
 * node; delete and rerun are not, so they are not offered.
 */
export function jobMenuItems(
  job: DescribeJob,
  local = true
): { command: string; args?: Record<string, unknown> }[] {
  const args = { jobId: job.id };
  const items: { command: string; args?: Record<string, unknown> }[] = [
    { command: CommandIDs.openJob, args }
  ];
  if (job.status === 'running' || job.status === 'starting') {
    items.push({ command: '-' });
    for (const action of ['save', 'stop', 'save-stop', 'abort', 'kill', 'force-kill']) {
      items.push({ command: CommandIDs.jobControl, args: { ...args, action } });
    }
  } else if (job.status === 'queued') {
    items.push({ command: CommandIDs.jobCancel, args });
  } else if (local) {
    items.push({ command: CommandIDs.jobDelete, args });
  }
  if (job.status !== 'queued' && local) {
    items.push({ command: '-' }, { command: RunsCommandIDs.rerun, args });
  }
  return items;
}

function JobCard(props: {
  job: DescribeJob;
  model: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
  selected: boolean;
  onSelect: (checked: boolean, range: boolean) => void;
  /** Cluster mode: the chip naming the job's node. */
  cluster: ClusterModel | null;
}): JSX.Element {
  const { job, model, commands, trans } = props;
  const active = job.status === 'running' || job.status === 'starting';
  const when = job.ended_at ?? job.started_at ?? job.created_at;
  return (
    <li
      className={`jp-forgather-job jp-forgather-job-${job.status}`}
      data-job-id={job.id}
      data-status={job.status}
      data-peer={model.isLocal(job) ? undefined : 'true'}
      data-selected={props.selected ? 'true' : undefined}
      aria-label={job.name}
    >
      <div className="jp-forgather-job-line">
        <input
          type="checkbox"
          className="jp-forgather-job-select"
          aria-label={trans.__('Select %1', job.name)}
          checked={props.selected}
          onClick={e => props.onSelect(e.currentTarget.checked, e.shiftKey)}
          onChange={() => undefined}
        />
        <button
          className="jp-forgather-job-name jp-forgather-link-button"
          title={trans.__('Open the job view')}
          onClick={() => void commands.execute(CommandIDs.openJob, { jobId: job.id })}
        >
          {job.name}
        </button>
        <StatusPill status={job.status} trans={trans} />
        <button
          className="jp-forgather-icon-button"
          aria-label={trans.__('Actions for %1', job.name)}
          aria-haspopup="menu"
          onClick={e =>
            openCommandMenu(commands, jobMenuItems(job, model.isLocal(job)), e.currentTarget)
          }
        >
          ⋯
        </button>
      </div>
      {active && (
        <ProgressBar
          progress={model.progress(job.id)}
          label={trans.__('Progress of %1', job.name)}
        />
      )}
      <div className="jp-forgather-muted">
        {props.cluster && model.nodes && (
          <NodeChip job={job} nodes={model.nodes} cluster={props.cluster} trans={trans} />
        )}
        {gpuText(trans, job)} · {ago(when)}
        <JobOwner job={job} />
        {job.exit_code !== null &&
          job.exit_code !== 0 &&
          ` · ${trans.__('exit %1', job.exit_code)}`}
        {job.error && (
          <span className="jp-forgather-job-error" title={job.error}>
            {' · '}
            {job.error}
          </span>
        )}
      </div>
    </li>
  );
}

export function JobsSection(props: {
  model: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, commands, trans } = props;
  const cluster = useCluster();
  const nodes = cluster ? model.nodes : null;
  const [node, setNode] = React.useState(ALL_NODES);
  // The Queue section lists this node's queue; a peer's queued jobs show here.
  const jobs = model.jobs.filter(
    j =>
      (j.status !== 'queued' || (nodes !== null && !model.isLocal(j))) &&
      (nodes === null || node === ALL_NODES || nodeOf(j, nodes) === node)
  );
  const finished = jobs.some(j => TERMINAL.has(j.status));
  const staleExternal = jobs.some(j => j.job_type === 'external' && TERMINAL.has(j.status));
  const [picked, setPicked] = React.useState<ReadonlySet<string>>(new Set());
  const anchor = React.useRef<string | null>(null);
  // Ticked jobs that are still listed, in the list's order.
  const selected = jobs.map(j => j.id).filter(id => picked.has(id));
  const select = (id: string, checked: boolean, range: boolean) => {
    const next = new Set(picked);
    const ids = jobs.map(j => j.id);
    const from = anchor.current === null ? -1 : ids.indexOf(anchor.current);
    const to = ids.indexOf(id);
    if (range && from >= 0 && to >= 0) {
      ids.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(x => next.add(x));
    } else if (checked) {
      next.add(id);
    } else {
      next.delete(id);
    }
    anchor.current = id;
    setPicked(next);
  };
  return (
    <section className="jp-forgather-section" aria-label={trans.__('Jobs')}>
      <header className="jp-forgather-section-header">
        <h3>{trans.__('Jobs')}</h3>
        <span className="jp-forgather-section-actions">
          {selected.length > 0 && (
            <>
              <button
                className="jp-forgather-link-button"
                disabled={selected.length < 2}
                title={
                  selected.length < 2
                    ? trans.__('Tick two or more jobs to compare them')
                    : trans.__('Overlay their curves and diff their parameters')
                }
                onClick={() => void commands.execute(RunsCommandIDs.compare, { jobIds: selected })}
              >
                {trans.__('Compare (%1)', selected.length)}
              </button>
              <button className="jp-forgather-link-button" onClick={() => setPicked(new Set())}>
                {trans.__('Clear')}
              </button>
            </>
          )}
          {finished && (
            <button
              className="jp-forgather-link-button"
              onClick={() => void commands.execute(CommandIDs.jobsCleanup)}
            >
              {trans.__('Clean up finished')}
            </button>
          )}
          {staleExternal && (
            <button
              className="jp-forgather-link-button"
              title={trans.__('Remove ended trainers that registered from outside the queue')}
              onClick={() => void commands.execute(CommandIDs.removeStaleExternal)}
            >
              {trans.__('Remove stale')}
            </button>
          )}
        </span>
      </header>
      {model.error && (
        <p className="jp-forgather-error" role="alert">
          {model.error}
        </p>
      )}
      {cluster && nodes && (
        <>
          <NodeFilter
            value={node}
            onChange={setNode}
            nodes={nodes}
            cluster={cluster}
            trans={trans}
          />
          <UnreachableNotice nodes={nodes} cluster={cluster} trans={trans} />
          <ClusterJobsList model={cluster} commands={commands} trans={trans} />
        </>
      )}
      {jobs.length === 0 ? (
        <p className="jp-forgather-muted">
          {!model.loaded
            ? trans.__('Loading…')
            : node !== ALL_NODES && nodes
              ? trans.__('No jobs on this node.')
              : trans.__('No jobs yet.')}
        </p>
      ) : (
        <ul className="jp-forgather-list" aria-label={trans.__('Job list')}>
          {jobs.map(job => (
            <JobCard
              key={job.id}
              job={job}
              model={model}
              commands={commands}
              trans={trans}
              selected={picked.has(job.id)}
              onSelect={(checked, range) => select(job.id, checked, range)}
              cluster={cluster}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
