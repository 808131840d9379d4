/**
 * The Lab's one cluster model, for the sections that group by node (the GPUs
 * section) without the wiring passing it through: `setupCluster` sets it,
 * components follow it with `useCluster`, as `pool.tsx` does for the Hub pool.
 */
import * as React from 'react';

import { type ClusterModel } from './model';

let shared: ClusterModel | null = null;

export function setSharedCluster(model: ClusterModel | null): void {
  shared = model;
}

/** The cluster model (null before `setupCluster`), enabled or not: for models and commands. */
export function sharedCluster(): ClusterModel | null {
  return shared;
}

/** The cluster model while the server is in cluster mode, else null; re-renders on change. */
export function useCluster(): ClusterModel | null {
  const model = shared;
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!model) {
      return;
    }
    const onChange = () => setTick(t => t + 1);
    model.changed.connect(onChange);
    return () => {
      model.changed.disconnect(onChange);
    };
  }, [model]);
  return model?.enabled ? model : null;
}
