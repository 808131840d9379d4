/**
 * The config view (main area): the project README, the rendered YAML, the
 * template graph and the template list, with the config's actions. Markdown
 * and the graph (a mermaid diagram) render through JupyterLab's rendermime.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { type IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { DescribeTemplateGraph } from '../client/schemas';
import { RunsTable } from '../runs/table';
import { type ConfigViewModel } from './configModel';

export interface IConfigViewOptions {
  model: ConfigViewModel;
  rendermime: IRenderMimeRegistry | null;
  openFile(labPath: string | null): void;
  /** "Edit Overrides…" (the view refreshes after a save). */
  editOverrides?(): void;
  /** "Run…": the config's Run dialog (offered when the server says the config runs). */
  run?(): void;
}

type Tab = 'info' | 'pp' | 'templates' | 'runs';

/** Markdown through rendermime (falls back to plain text without it). */
function Markdown(props: { source: string; rendermime: IRenderMimeRegistry | null }): JSX.Element {
  const ref = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    const host = ref.current;
    if (!host || !props.rendermime) {
      return;
    }
    const renderer = props.rendermime.createRenderer('text/markdown');
    host.replaceChildren(renderer.node);
    void renderer.renderModel(new MimeModel({ data: { 'text/markdown': props.source } }));
    return () => renderer.dispose();
  }, [props.source, props.rendermime]);
  return props.rendermime ? (
    <div ref={ref} className="jp-forgather-markdown" />
  ) : (
    <pre className="jp-forgather-yaml">{props.source}</pre>
  );
}

/** The template graph as a mermaid flowchart (an edge: template → what it uses). */
export function mermaidOf(graph: DescribeTemplateGraph): string {
  const nodes = graph.nodes ?? [];
  const ids = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  // Mermaid entity codes, so a file name is shown as written, never read as markup.
  const label = (s: string): string =>
    s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
  const lines = ['graph LR'];
  for (const n of nodes) {
    lines.push(`  ${ids.get(n.id) ?? ''}["${label(n.id)}"]`);
  }
  for (const e of graph.edges ?? []) {
    lines.push(`  ${ids.get(e.source) ?? ''} -->|${e.kind}| ${ids.get(e.target) ?? ''}`);
  }
  return lines.join('\n');
}

/**
 * Point the README's relative images at `project/asset` (a path-guarded GET,
 * so no XSRF token is needed), for markdown images and `<img src>` alike.
 */
export function withAssetUrls(markdown: string, assetUrl: (asset: string) => string): string {
  const url = (src: string): string => {
    if (/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(src)) {
      return src;
    }
    return assetUrl(src.replace(/^\.\//, ''));
  };
  return markdown
    .replace(
      /(!\[[^\]]*\]\()\s*<?([^)\s>]+)>?((?:\s+"[^"]*")?\s*\))/g,
      (_m, a: string, src: string, b: string) => a + url(src) + b
    )
    .replace(
      /(<img\b[^>]*?\ssrc=)(["'])([^"']+)\2/gi,
      (_m, a: string, q: string, src: string) => a + q + url(src) + q
    );
}

function ConfigViewBody(props: IConfigViewOptions): JSX.Element {
  const { model } = props;
  const { project_dir: projectDir, config } = model.ref;
  const { data, error } = model;
  const [tab, setTab] = React.useState<Tab>('pp');
  const noteId = React.useId();

  const tabs: [Tab, string][] = [
    ['info', 'Info'],
    ['pp', 'Rendered YAML'],
    ['templates', 'Templates'],
    ['runs', 'Runs']
  ];
  return (
    <div className="jp-forgather-config-view" data-testid="forgather-config-view">
      <header className="jp-forgather-config-header">
        <strong>{data?.meta.config_name ?? config}</strong>
        {data && data.meta.config_name !== config && (
          <span className="jp-forgather-config-file">{config}</span>
        )}
        {data?.meta.config_class && (
          <span className="jp-forgather-chip">{data.meta.config_class}</span>
        )}
        <span className="jp-forgather-muted">{projectDir}</span>
        <span className="jp-forgather-spacer" />
        {props.run && data && (
          // Disabled, not hidden: the view has room to say why (the tree's menu has not).
          <button
            className="jp-forgather-button"
            onClick={() => props.run?.()}
            disabled={!data.meta.job_type}
            title={data.meta.not_runnable ?? `Queue a ${data.meta.job_type ?? ''} run`}
            aria-describedby={data.meta.job_type ? undefined : noteId}
          >
            Run…
          </button>
        )}
        {props.editOverrides && (
          <button className="jp-forgather-button" onClick={() => props.editOverrides?.()}>
            Edit Overrides…
          </button>
        )}
        <button
          className="jp-forgather-button"
          onClick={() => props.openFile(data?.meta.lab_path ?? null)}
          disabled={!data?.meta.lab_path}
        >
          Open in Editor
        </button>
      </header>
      {data?.meta.config_description && (
        <p className="jp-forgather-muted">{data.meta.config_description}</p>
      )}
      {data?.meta.not_runnable && (
        <p className="jp-forgather-muted" id={noteId} role="note">
          {data.meta.not_runnable}
        </p>
      )}
      <nav className="jp-forgather-tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            className={`jp-forgather-tab${tab === id ? ' jp-mod-active' : ''}`}
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </nav>
      {error && (
        <pre className="jp-forgather-error" role="alert" data-testid="forgather-config-error">
          {error}
        </pre>
      )}
      {!data && !error && <p className="jp-forgather-muted">Rendering…</p>}
      {data && tab === 'info' && (
        <Markdown
          source={
            data.readme
              ? withAssetUrls(data.readme, asset => model.assetUrl(asset))
              : '_This project has no README.md._'
          }
          rendermime={props.rendermime}
        />
      )}
      {data && tab === 'pp' && (
        <pre className="jp-forgather-yaml" data-testid="forgather-rendered-yaml">
          {data.yaml.replace(/^\s*\n/, '')}
        </pre>
      )}
      {tab === 'runs' && (
        <RunsTable client={model.client} projectDir={projectDir} config={config} />
      )}
      {data && tab === 'templates' && (
        <div className="jp-forgather-templates">
          <Markdown
            source={'```mermaid\n' + mermaidOf(data.graph) + '\n```'}
            rendermime={props.rendermime}
          />
          <h4>Used by this config</h4>
          <ul className="jp-forgather-template-list">
            {(data.graph.nodes ?? []).map(n => (
              <li key={n.id}>
                <button
                  className="jp-forgather-link-button"
                  onClick={() => props.openFile(n.lab_path)}
                  title={n.path ?? ''}
                >
                  {n.id}
                </button>
              </li>
            ))}
          </ul>
          <h4>On the search path</h4>
          {data.groups.map(g => (
            <details key={g.group} open={g.group !== 'Meta'}>
              <summary>
                {g.group} <span className="jp-forgather-count">{g.templates.length}</span>
              </summary>
              <ul className="jp-forgather-template-list">
                {g.templates.map(t => (
                  <li key={`${g.group}/${t.name}`}>
                    <button
                      className="jp-forgather-link-button"
                      onClick={() => props.openFile(t.lab_path)}
                      title={t.path ?? ''}
                    >
                      {t.name}
                    </button>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </div>
      )}
    </div>
  );
}

/** The widget inside the main-area tab; ``refresh()`` loads the config again. */
export class ConfigView extends ReactWidget {
  constructor(readonly options: IConfigViewOptions) {
    super();
    this.addClass('jp-forgather-config-view-widget');
    void options.model.load();
  }

  refresh(): void {
    void this.options.model.load();
  }

  dispose(): void {
    this.options.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.options.model.changed}>
        {() => <ConfigViewBody {...this.options} />}
      </UseSignal>
    );
  }
}

/** A main-area tab showing a config. */
export function createConfigView(options: IConfigViewOptions): MainAreaWidget<ConfigView> {
  const content = new ConfigView(options);
  const widget = new MainAreaWidget({ content });
  const { project_dir: projectDir, config } = options.model.ref;
  widget.id = `forgather-config-${encodeURIComponent(projectDir)}-${encodeURIComponent(config)}`;
  widget.title.label = config;
  widget.title.caption = `${projectDir}/${config}`;
  widget.title.closable = true;
  return widget;
}
