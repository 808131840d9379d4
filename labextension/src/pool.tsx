/**
 * A JupyterHub user's server on the Hub's shared pool (`health.mode` is
 * `hub`: `ForgatherLab.hub_service` forwards the queue, jobs and GPUs to the
 * Hub's service). The panel then says "Shared pool" and who the user is, and
 * every job row shows its owner, since the list is everyone's jobs.
 *
 * `pool` is fed from the health the panel's model reads; components follow it
 * with `useSharedPool`, so rows drawn before the first health answer update.
 */
import { type ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import type { DescribeHealth, DescribeJob } from './client/schemas';

/** Whether the server's jobs and GPUs are a Hub's shared pool. */
export function isSharedPool(health: DescribeHealth | null | undefined): boolean {
  return health?.mode === 'hub';
}

/** Whether the Lab's server is on a shared pool, as its last health answer said. */
export class PoolState {
  get shared(): boolean {
    return this._shared;
  }

  /** Emitted when `shared` changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  update(health: DescribeHealth | null): void {
    const shared = isSharedPool(health);
    if (shared !== this._shared) {
      this._shared = shared;
      this._changed.emit();
    }
  }

  private _shared = false;
  private _changed = new Signal<this, void>(this);
}

/** The Lab's one pool state (one server per Lab). */
export const pool = new PoolState();

/** `pool.shared`, re-rendering when it changes. */
export function useSharedPool(): boolean {
  const [shared, setShared] = React.useState(pool.shared);
  React.useEffect(() => {
    const follow = (): void => setShared(pool.shared);
    pool.changed.connect(follow);
    follow();
    return () => {
      pool.changed.disconnect(follow);
    };
  }, []);
  return shared;
}

/** "Shared pool" next to the server's status, on a Hub's pool. */
export function SharedPoolPill(props: { health: DescribeHealth | null }): JSX.Element | null {
  if (!isSharedPool(props.health)) {
    return null;
  }
  return (
    <span
      className="jp-forgather-pill jp-forgather-pill-shared"
      data-testid="forgather-shared-pool"
      title="Queue, jobs and GPUs are the JupyterHub's, shared by its users"
    >
      Shared pool
    </span>
  );
}

/** The facts about the pool: who you are in it. */
export function SharedPoolFacts(props: { health: DescribeHealth | null }): JSX.Element | null {
  const { health } = props;
  if (!health || !isSharedPool(health)) {
    return null;
  }
  return (
    <>
      <dt>Pool</dt>
      <dd data-testid="forgather-pool-user">
        {`Shared pool of the Hub · you are ${health.user ?? 'unknown'}`}
        {health.admin ? ' (admin)' : ''}
      </dd>
    </>
  );
}

/** " · alice" in a job row on a shared pool (nothing on a server's own pool). */
export function JobOwner(props: { job: DescribeJob }): JSX.Element | null {
  const shared = useSharedPool();
  if (!shared) {
    return null;
  }
  return (
    <span className="jp-forgather-job-owner" title="Owner" data-owner={props.job.owner ?? ''}>
      {` · ${props.job.owner ?? 'unknown'}`}
    </span>
  );
}
