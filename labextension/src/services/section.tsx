/** The Services section of the sidebar: dots for what runs, start / stop, delete. */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { CommandIDs } from '../commands';
import type { DescribeService } from '../client/schemas';
import { type ServicesModel } from './model';

function ServiceRow(props: {
  service: DescribeService;
  model: ServicesModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { service, model, commands, trans } = props;
  const state = service.running
    ? 'running'
    : service.job_id
      ? (service.status ?? 'starting')
      : 'stopped';
  const open = () => {
    if (service.type === 'inference' && service.base_url) {
      void commands.execute(CommandIDs.openChat, { base: service.base_url });
    } else if (service.type === 'tensorboard' && service.job_id) {
      void commands.execute(CommandIDs.openTensorBoard, { jobId: service.job_id });
    } else if (service.job_id) {
      void commands.execute(CommandIDs.openJob, { jobId: service.job_id });
    }
  };
  return (
    <li
      className="jp-forgather-service"
      data-service={`${service.type}/${service.name}`}
      data-running={service.running}
    >
      <span
        className={`jp-forgather-dot jp-forgather-dot-${service.running ? 'on' : 'off'}`}
        role="img"
        aria-label={state}
        title={service.message ?? state}
      />
      <button
        className="jp-forgather-link-button jp-forgather-service-name"
        onClick={open}
        title={service.signature}
      >
        {`${service.type}/${service.name}`}
      </button>
      <span className="jp-forgather-muted">
        {service.source === 'settings' ? trans.__('settings') : ''}
      </span>
      <button
        className="jp-forgather-link-button"
        aria-label={
          service.enabled ? trans.__('Stop %1', service.name) : trans.__('Start %1', service.name)
        }
        onClick={() => void model.setEnabled(service, !service.enabled)}
      >
        {service.enabled ? '⏹' : '▶'}
      </button>
      {service.source === 'user' && (
        <button
          className="jp-forgather-link-button"
          aria-label={trans.__('Delete %1', service.name)}
          onClick={() => {
            if (window.confirm(trans.__('Delete service %1 (its job is stopped)?', service.name))) {
              void model.remove(service);
            }
          }}
        >
          ×
        </button>
      )}
    </li>
  );
}

export function ServicesSection(props: {
  model: ServicesModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, commands, trans } = props;
  React.useEffect(() => model.start(), [model]);
  return (
    <section className="jp-forgather-section" aria-label={trans.__('Services')}>
      <header className="jp-forgather-section-header">
        <h3>
          {trans.__('Services')}
          <span className="jp-forgather-count">{model.services.filter(s => s.running).length}</span>
        </h3>
        <span className="jp-forgather-header-actions">
          <button
            className="jp-forgather-link-button"
            onClick={() => void commands.execute(CommandIDs.openChat)}
          >
            {trans.__('Chat')}
          </button>
          <button
            className="jp-forgather-link-button"
            onClick={() => void commands.execute(CommandIDs.newService)}
          >
            {trans.__('New service')}
          </button>
        </span>
      </header>
      {model.error && (
        <p className="jp-forgather-error" role="alert">
          {model.error}
        </p>
      )}
      {model.services.length === 0 ? (
        <p className="jp-forgather-muted">
          {model.loaded ? trans.__('No services configured.') : trans.__('Loading…')}
        </p>
      ) : (
        <ul className="jp-forgather-list" aria-label={trans.__('Services')}>
          {model.services.map(s => (
            <ServiceRow
              key={`${s.type}/${s.name}`}
              service={s}
              model={model}
              commands={commands}
              trans={trans}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
