/**
 * Wiring of the Cluster section: its model, its poll interval from the
 * settings (`clusterPollSeconds`) and the sidebar section. Called from
 * `activate()`: it builds only; the one `GET /cluster` waits until the
 * panel is first shown.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { type ITranslator, nullTranslator } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { type ForgatherClient } from '../client';
import { ClusterModel, DEFAULT_POLL_SECONDS } from './model';
import { ClusterSection } from './section';
import { setSharedCluster } from './shared';

export interface IClusterSetupOptions {
  client: ForgatherClient;
  translator: ITranslator | null;
  settingRegistry: ISettingRegistry | null;
  /** The plugin whose settings hold `clusterPollSeconds`. */
  pluginId: string;
}

/** `clusterPollSeconds` as the settings hold it, clamped into [1, 600]. */
function pollSeconds(raw: unknown): number {
  return typeof raw === 'number' && Number.isFinite(raw)
    ? Math.min(600, Math.max(1, Math.round(raw)))
    : DEFAULT_POLL_SECONDS;
}

/** Starts the model when first mounted (the panel was shown). */
function Started(props: { model: ClusterModel; children: React.ReactNode }): JSX.Element {
  const { model } = props;
  React.useEffect(() => model.start(), [model]);
  return <>{props.children}</>;
}

/** Build the cluster model; returns the sidebar section (empty when standalone). */
export function setupCluster(opts: IClusterSetupOptions): Array<() => JSX.Element> {
  const trans = (opts.translator ?? nullTranslator).load('forgather_lab');
  let seconds = DEFAULT_POLL_SECONDS;
  const model = new ClusterModel(opts.client.api, () => seconds);
  setSharedCluster(model);
  opts.settingRegistry
    ?.load(opts.pluginId)
    .then(settings => {
      const apply = () => {
        seconds = pollSeconds(settings.composite.clusterPollSeconds);
        model.settingsChanged();
      };
      apply();
      settings.changed.connect(apply);
    })
    .catch((error: unknown) => {
      console.warn('Forgather: could not load the cluster settings; using the defaults', error);
    });
  return [
    () => (
      <Started model={model}>
        <UseSignal signal={model.changed}>
          {() => <ClusterSection model={model} trans={trans} />}
        </UseSignal>
      </Started>
    )
  ];
}
