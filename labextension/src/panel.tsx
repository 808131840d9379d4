/** The Forgather sidebar panel. */
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { type Message } from '@lumino/messaging';
import * as React from 'react';

import type { DescribeHealth } from './client/schemas';
import { forgatherIcon } from './icons';
import { type ForgatherModel } from './model';
import { SharedPoolFacts, SharedPoolPill, pool } from './pool';

function HealthSection(props: {
  health: DescribeHealth | null;
  error: string | null;
  onRefresh: () => void;
}): JSX.Element {
  const { health, error } = props;
  let pill: JSX.Element;
  if (error) {
    pill = <span className="jp-forgather-pill jp-forgather-pill-error">unreachable</span>;
  } else if (!health) {
    pill = <span className="jp-forgather-pill">checking…</span>;
  } else if (health.status === 'ok') {
    pill = <span className="jp-forgather-pill jp-forgather-pill-ok">healthy</span>;
  } else {
    pill = <span className="jp-forgather-pill jp-forgather-pill-error">degraded</span>;
  }
  return (
    <section className="jp-forgather-section" aria-label="Server health">
      <header className="jp-forgather-section-header">
        <h3>Server</h3>
        <SharedPoolPill health={health} />
        <button
          className="jp-forgather-link-button"
          onClick={props.onRefresh}
          title="Check the server again"
        >
          Refresh
        </button>
      </header>
      <dl className="jp-forgather-facts">
        <dt>Status</dt>
        <dd data-testid="forgather-health-status">{pill}</dd>
        <SharedPoolFacts health={health} />
        {health && (
          <>
            <dt>GPU backend</dt>
            <dd data-testid="forgather-gpu-backend">
              {health.gpu_backend}
              {health.gpu_backend === 'simulated' && ' (not real telemetry)'}
              {` · ${health.gpu_count} GPU${health.gpu_count === 1 ? '' : 's'}`}
            </dd>
            <dt>Version</dt>
            <dd>{health.version}</dd>
            <dt>State</dt>
            <dd className="jp-forgather-path" title={health.state_dir}>
              {health.state_dir}
            </dd>
          </>
        )}
      </dl>
      {(error || health?.message) && (
        <p className="jp-forgather-error" role="alert">
          {error ?? health?.message}
        </p>
      )}
    </section>
  );
}

/** The left-sidebar panel; renders what the model holds. */
export class ForgatherPanel extends ReactWidget {
  constructor(
    readonly model: ForgatherModel,
    readonly sections: Array<() => JSX.Element> = []
  ) {
    super();
    this.id = 'forgather-panel';
    this.addClass('jp-forgather-panel');
    this.title.icon = forgatherIcon;
    this.title.caption = 'Forgather';
    model.changed.connect(() => pool.update(model.health));
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.start();
    void this.model.refresh();
  }

  protected render(): JSX.Element {
    return (
      <div className="jp-forgather-panel-body">
        <header className="jp-forgather-title">
          <forgatherIcon.react tag="span" className="jp-forgather-title-icon" />
          <h2>Forgather</h2>
        </header>
        <UseSignal signal={this.model.changed}>
          {() => (
            <HealthSection
              health={this.model.health}
              error={this.model.error}
              onRefresh={() => void this.model.refresh()}
            />
          )}
        </UseSignal>
        {this.sections.map((section, i) => (
          <React.Fragment key={i}>{section()}</React.Fragment>
        ))}
      </div>
    );
  }
}
