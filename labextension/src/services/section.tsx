/**
 * The Services section of the sidebar: dots for what runs, start / stop,
 * delete, and "New service", a menu of the kinds' launch dialogs.
 */
import { type TranslationBundle } from '@jupyterlab/translation';
import { type CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { describeError } from '../client';
import { CommandIDs } from '../commands';
import type { DescribeService } from '../client/schemas';
import { launchService, openCommand } from './launch';
import { type ServicesModel } from './model';
import { type ServiceKind } from './schemaForm';

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
    const command = service.job_id
      ? openCommand(service.type, service.job_id, service.base_url ?? null)
      : null;
    if (command) {
      void commands.execute(...command);
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

/** "New service ▾": one item per service kind, each opening that kind's dialog. */
function LaunchMenu(props: {
  model: ServicesModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, commands, trans } = props;
  const [kinds, setKinds] = React.useState<ServiceKind[] | null>(null);
  const [open, setOpen] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const toggle = async () => {
    if (open) {
      setOpen(false);
      return;
    }
    setOpen(true);
    try {
      setKinds(await model.kinds());
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  };
  const pick = (kind: ServiceKind) => {
    setOpen(false);
    void launchService(model, kind, commands, trans);
  };
  return (
    <span className="jp-forgather-launch-menu">
      <button
        className="jp-forgather-link-button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => void toggle()}
      >
        {trans.__('New service')} ▾
      </button>
      {open && (
        <ul className="jp-forgather-launch-items" role="menu" aria-label={trans.__('New service')}>
          {error && (
            <li className="jp-forgather-error" role="alert">
              {error}
            </li>
          )}
          {!error && kinds === null && (
            <li className="jp-forgather-muted">{trans.__('Loading…')}</li>
          )}
          {(kinds ?? []).map(kind => (
            <li key={kind.type} role="none">
              <button
                role="menuitem"
                className="jp-forgather-link-button"
                data-kind={kind.type}
                title={String((kind.schema as { description?: string }).description ?? '')}
                onClick={() => pick(kind)}
              >
                {trans.__('%1…', kind.label)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </span>
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
          <LaunchMenu model={model} commands={commands} trans={trans} />
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
