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

  /**
   * Whether this user may change the pool's policy (pause the scheduler, a
   * card's policy): anyone on their own server, only admins on a shared pool.
   */
  get admin(): boolean {
    return this._admin;
  }

  update(health: DescribeHealth | null): void {
    const shared = isSharedPool(health);
    const admin = !shared || health?.admin === true;
    if (shared !== this._shared || admin !== this._admin) {
      this._shared = shared;
      this._admin = admin;
      this._changed.emit();
    }
  }

  private _shared = false;
  private _admin = true;
  private _changed = new Signal<this, void>(this);
}

/** The Lab's one pool state (one server per Lab). */
export const pool = new PoolState();

/** A fact of `pool`, re-rendering when it changes. */
function usePool(fact: 'shared' | 'admin'): boolean {
  const [value, setValue] = React.useState(pool[fact]);
  React.useEffect(() => {
    const follow = (): void => setValue(pool[fact]);
    pool.changed.connect(follow);
    follow();
    return () => {
      pool.changed.disconnect(follow);
    };
  }, [fact]);
  return value;
}

/** `pool.shared`, re-rendering when it changes. */
export function useSharedPool(): boolean {
  return usePool('shared');
}

/** `pool.admin`, re-rendering when it changes. */
export function usePoolAdmin(): boolean {
  return usePool('admin');
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
