/**
 * The config view (main area): the project README, the rendered YAML, the
 * template graph and the template list, with the config's actions. Markdown
 * and the graph (a mermaid diagram) render through JupyterLab's rendermime.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IConfigMeta, IGraph, ITemplateGroup, get } from './api';
import { describe } from './model';

export interface IConfigViewOptions {
  projectDir: string;
  config: string;
  rendermime: IRenderMimeRegistry | null;
  openFile(labPath: string | null): void;
  /** "Edit Overrides…" (the view refreshes after a save). */
  editOverrides?(): void;
}

type Tab = 'info' | 'pp' | 'templates';

interface IData {
  meta: IConfigMeta;
  readme: string;
  yaml: string;
  graph: IGraph;
  groups: ITemplateGroup[];
}

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
export function mermaidOf(graph: IGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const label = (s: string): string => s.replace(/"/g, '#quot;');
  const lines = ['graph LR'];
  for (const n of graph.nodes) {
    lines.push(`  ${ids.get(n.id)}["${label(n.id)}"]`);
  }
  for (const e of graph.edges) {
    lines.push(`  ${ids.get(e.source)} -->|${e.kind}| ${ids.get(e.target)}`);
  }
  return lines.join('\n');
}

/**
 * Point the README's relative images at `project/asset` (a path-guarded GET,
 * so no XSRF token is needed), for markdown images and `<img src>` alike.
 */
export function withAssetUrls(markdown: string, projectDir: string): string {
  const url = (src: string): string => {
    if (/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(src)) {
      return src;
    }
    const qs = new URLSearchParams({ project_dir: projectDir, asset: src.replace(/^\.\//, '') });
    return URLExt.join(PageConfig.getBaseUrl(), 'forgather/api/project/asset') + `?${qs.toString()}`;
  };
  return markdown
    .replace(/(!\[[^\]]*\]\()\s*<?([^)\s>]+)>?((?:\s+"[^"]*")?\s*\))/g, (_m, a: string, src: string, b: string) => a + url(src) + b)
    .replace(/(<img\b[^>]*?\ssrc=)(["'])([^"']+)\2/gi, (_m, a: string, q: string, src: string) => a + q + url(src) + q);
}

function ConfigViewBody(props: IConfigViewOptions & { version: number }): JSX.Element {
  const { projectDir, config } = props;
  const [tab, setTab] = React.useState<Tab>('pp');
  const [data, setData] = React.useState<IData | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    const q = { project_dir: projectDir, config };
    let live = true;
    Promise.all([
      get<IConfigMeta>('config/meta', q),
      get<{ markdown: string }>('project/readme', { project_dir: projectDir }),
      get<{ yaml: string }>('config/pp', q),
      get<IGraph>('config/trefs', q),
      get<{ groups: ITemplateGroup[] }>('project/templates', { project_dir: projectDir })
    ]).then(
      ([meta, readme, pp, graph, templates]) => {
        if (live) {
          setData({ meta, readme: readme.markdown, yaml: pp.yaml, graph, groups: templates.groups });
          setError(null);
        }
      },
      err => live && setError(describe(err))
    );
    return () => {
      live = false;
    };
  }, [projectDir, config, props.version]);

  const tabs: [Tab, string][] = [
    ['info', 'Info'],
    ['pp', 'Rendered YAML'],
    ['templates', 'Templates']
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
      {data?.meta.config_description && <p className="jp-forgather-muted">{data.meta.config_description}</p>}
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
          source={data.readme ? withAssetUrls(data.readme, projectDir) : '_This project has no README.md._'}
          rendermime={props.rendermime}
        />
      )}
      {data && tab === 'pp' && (
        <pre className="jp-forgather-yaml" data-testid="forgather-rendered-yaml">
          {data.yaml.replace(/^\s*\n/, "")}
        </pre>
      )}
      {data && tab === 'templates' && (
        <div className="jp-forgather-templates">
          <Markdown source={'```mermaid\n' + mermaidOf(data.graph) + '\n```'} rendermime={props.rendermime} />
          <h4>Used by this config</h4>
          <ul className="jp-forgather-template-list">
            {data.graph.nodes.map(n => (
              <li key={n.id}>
                <button className="jp-forgather-link-button" onClick={() => props.openFile(n.lab_path)} title={n.path ?? ''}>
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
                    <button className="jp-forgather-link-button" onClick={() => props.openFile(t.lab_path)} title={t.path ?? ''}>
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

/** The widget inside the main-area tab; ``refresh()`` renders again. */
export class ConfigView extends ReactWidget {
  constructor(readonly options: IConfigViewOptions) {
    super();
    this.addClass('jp-forgather-config-view-widget');
  }

  refresh(): void {
    this._version += 1;
    this.update();
  }

  protected render(): JSX.Element {
    return <ConfigViewBody {...this.options} version={this._version} />;
  }

  private _version = 0;
}

/** A main-area tab showing a config. */
export function createConfigView(options: IConfigViewOptions): MainAreaWidget<ConfigView> {
  const content = new ConfigView(options);
  const widget = new MainAreaWidget({ content });
  widget.id = `forgather-config-${encodeURIComponent(options.projectDir)}-${encodeURIComponent(options.config)}`;
  widget.title.label = options.config;
  widget.title.caption = `${options.projectDir}/${options.config}`;
  widget.title.closable = true;
  return widget;
}
