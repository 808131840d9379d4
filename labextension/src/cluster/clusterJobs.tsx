/**
 * Multi-node jobs in the Jobs section (cluster mode, `GET /cluster/jobs`):
 * each bundle with its rolled-up status, its rendezvous, one row per rank
 * (rank, node, job id, status; a click on the job id opens that rank's job
 * view, its log forwarded from the node running it) and Cancel
 * (`POST /cluster/jobs/{id}/cancel`).
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import type { IDescribeClusterJob } from '../client/clusterJobs';
import { CommandIDs } from '../commands';
import { StatusPill, ago } from '../jobs/components';
import { type ClusterModel } from './model';

/** Statuses after which a bundle has nothing left to cancel. */
const ENDED = new Set(['done', 'failed', 'cancelled', 'aborted']);

function Bundle(props: {
  job: IDescribeClusterJob;
  model: ClusterModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, model, commands, trans } = props;
  const [cancelling, setCancelling] = React.useState(false);
  const cancel = () => {
    setCancelling(true);
    void model.cancelClusterJob(job.id).finally(() => setCancelling(false));
  };
  return (
    <li
      className="jp-forgather-cluster-job"
      data-cluster-job-id={job.id}
      data-status={job.status}
      aria-label={job.name}
    >
      <div className="jp-forgather-job-line">
        <strong
          className="jp-forgather-cluster-job-name"
          title={`${job.project_dir} · ${job.config}`}
        >
          {job.name}
        </strong>
        <StatusPill status={job.status} trans={trans} />
        {!ENDED.has(job.status) && (
          <button
            className="jp-forgather-link-button jp-forgather-cluster-job-cancel"
            disabled={cancelling}
            onClick={cancel}
            title={trans.__('Cancel every rank of %1', job.name)}
          >
            {trans.__('Cancel')}
          </button>
        )}
      </div>
      <div className="jp-forgather-muted">
        {trans._n('%1 node', '%1 nodes', job.nnodes)} ·{' '}
        {trans.__(
          'rendezvous %1:%2 on %3',
          job.rdzv.host,
          job.rdzv.port,
          model.nodeLabel(job.rdzv.node_id)
        )}{' '}
        · {ago(job.created)}
        {job.owner ? ` · ${job.owner}` : ''}
      </div>
      <table className="jp-forgather-cluster-ranks" aria-label={trans.__('Ranks of %1', job.name)}>
        <thead>
          <tr>
            <th>{trans.__('Rank')}</th>
            <th>{trans.__('Node')}</th>
            <th>{trans.__('Job')}</th>
            <th>{trans.__('Status')}</th>
          </tr>
        </thead>
        <tbody>
          {job.ranks.map(r => (
            <tr key={r.rank} data-rank={r.rank} data-node-id={r.node_id}>
              <td>{r.rank}</td>
              <td
                className="jp-forgather-cluster-rank-node"
                title={[
                  r.node_id,
                  trans._n('%1 GPU', '%1 GPUs', r.gpus),
                  r.iface ? trans.__('interface %1', r.iface) : ''
                ]
                  .filter(Boolean)
                  .join(' · ')}
              >
                {model.nodeLabel(r.node_id)}
              </td>
              <td>
                {r.job_id ? (
                  <button
                    className="jp-forgather-link-button jp-forgather-mono jp-forgather-cluster-rank-job"
                    title={trans.__('Open the log of rank %1', r.rank)}
                    onClick={() => void commands.execute(CommandIDs.openJob, { jobId: r.job_id })}
                  >
                    {r.job_id}
                  </button>
                ) : (
                  '–'
                )}
              </td>
              <td>
                <StatusPill status={r.status} trans={trans} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </li>
  );
}

/** The multi-node jobs, or nothing when there are none (and standalone). */
export function ClusterJobsList(props: {
  model: ClusterModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, commands, trans } = props;
  const jobs = model.clusterJobs ?? [];
  if (jobs.length === 0 && !model.clusterJobsError) {
    return null;
  }
  return (
    <div
      className="jp-forgather-cluster-jobs"
      role="group"
      aria-label={trans.__('Multi-node jobs')}
    >
      <h4 className="jp-forgather-cluster-group">{trans.__('Multi-node jobs')}</h4>
      {model.clusterJobsError && (
        <p className="jp-forgather-error" role="alert">
          {model.clusterJobsError}
        </p>
      )}
      <ul className="jp-forgather-list">
        {jobs.map(job => (
          <Bundle key={job.id} job={job} model={model} commands={commands} trans={trans} />
        ))}
      </ul>
    </div>
  );
}
