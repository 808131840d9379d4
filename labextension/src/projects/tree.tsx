/**
 * The Projects section of the Forgather sidebar:
 * workspaces → projects → configs → runs / checkpoints / evaluations, each level
 * loaded when it is first opened. Right-click menus come from JupyterLab's
 * context menu (see menus.ts), keyed on the data-* attributes of each row.
 */
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { OutputItem, OutputKind } from '../client/projects';
import type { OutputCounts, ProjectSummary, WorkspaceNode } from '../client/schemas';
import { type ProjectsModel, configKey } from './model';

export interface ITreeActions {
  openConfig(projectDir: string, config: string): void;
  openFile(labPath: string | null): void;
  /** A run or checkpoint clicked: its detail panel (else the file opens). */
  openOutput?(group: OutputKind, item: OutputItem): void;
  /** The header's "⋯" menu (search roots, workspaces). */
  openMenu?(anchor: HTMLElement): void;
  /**
   * Whether a checkpoint is a Hugging Face save (`config.json` inside): its row
   * then carries `data-hf="true"`, which the "Serve Inference" menu item keys on.
   */
  isHfCheckpoint?(item: OutputItem): Promise<boolean>;
}

type RowData = Record<string, string | undefined>;

function Row(props: {
  depth: number;
  label: React.ReactNode;
  kind: string;
  data: RowData;
  expanded?: boolean;
  title?: string;
  onClick: () => void;
  testId?: string;
}): JSX.Element {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(props.data)) {
    if (v !== undefined) {
      attrs[`data-${k}`] = v;
    }
  }
  return (
    <div
      className="jp-forgather-tree-node"
      role="treeitem"
      aria-expanded={props.expanded}
      tabIndex={0}
      data-kind={props.kind}
      data-testid={props.testId}
      title={props.title}
      style={{ paddingLeft: `${4 + props.depth * 12}px` }}
      onClick={props.onClick}
      onKeyDown={e => e.key === 'Enter' && props.onClick()}
      {...attrs}
    >
      <span className="jp-forgather-tree-caret">
        {props.expanded === undefined ? '' : props.expanded ? '▾' : '▸'}
      </span>
      {props.label}
    </div>
  );
}

/** One run, checkpoint or evaluation; a checkpoint learns whether it can be served. */
function OutputRow(props: {
  item: OutputItem;
  kind: OutputKind;
  depth: number;
  actions: ITreeActions;
}): JSX.Element {
  const { item, kind, actions } = props;
  const [hf, setHf] = React.useState(false);
  React.useEffect(() => {
    if (kind !== 'checkpoints' || !actions.isHfCheckpoint) {
      return;
    }
    let live = true;
    actions.isHfCheckpoint(item).then(
      ok => live && setHf(ok),
      () => undefined
    );
    return () => {
      live = false;
    };
  }, [actions, item, kind]);
  return (
    <Row
      depth={props.depth}
      kind="output-item"
      data={{
        path: item.path,
        'lab-path': item.lab_path ?? undefined,
        group: kind,
        hf: hf ? 'true' : undefined
      }}
      label={<span className="jp-forgather-tree-leaf">{item.name}</span>}
      title={hf ? `${item.path} (Hugging Face checkpoint: right-click to serve it)` : item.path}
      onClick={() =>
        kind !== 'evaluations' && actions.openOutput
          ? actions.openOutput(kind, item)
          : actions.openFile(item.lab_path)
      }
    />
  );
}

function Outputs(props: {
  model: ProjectsModel;
  outputDir: string;
  counts: OutputCounts;
  depth: number;
  actions: ITreeActions;
}): JSX.Element {
  const { model, outputDir } = props;
  const groups: [OutputKind, string][] = [
    ['runs', 'Runs'],
    ['checkpoints', 'Checkpoints'],
    ['evaluations', 'Evaluations']
  ];
  return (
    <>
      {groups.map(([kind, label]) => {
        const key = `${outputDir}\u0000${kind}`;
        const open = model.isExpanded(key);
        const items = model.items.get(key);
        return (
          <React.Fragment key={kind}>
            <Row
              depth={props.depth}
              kind="output-group"
              data={{ path: outputDir, group: kind }}
              expanded={open}
              label={
                <span>
                  {label} <span className="jp-forgather-count">{props.counts[kind]}</span>
                </span>
              }
              onClick={() => model.toggle(key, () => model.loadItems(outputDir, kind))}
            />
            {open && typeof items === 'string' && <p className="jp-forgather-error">{items}</p>}
            {open &&
              Array.isArray(items) &&
              items.map(item => (
                <OutputRow
                  key={item.path}
                  item={item}
                  kind={kind}
                  depth={props.depth + 1}
                  actions={props.actions}
                />
              ))}
          </React.Fragment>
        );
      })}
    </>
  );
}

function Project(props: {
  model: ProjectsModel;
  project: ProjectSummary;
  depth: number;
  actions: ITreeActions;
}): JSX.Element {
  const { model, project, depth } = props;
  const open = model.isExpanded(project.path);
  return (
    <>
      <Row
        depth={depth}
        kind="project"
        data={{ path: project.path, 'lab-path': project.lab_path ?? undefined, name: project.name }}
        expanded={open}
        title={project.error ?? project.description}
        testId={`forgather-project-${project.name}`}
        label={
          <span className={project.error ? 'jp-forgather-tree-broken' : ''}>{project.name}</span>
        }
        onClick={() =>
          model.toggle(project.path, () => model.loadProject(project.path, project.configs))
        }
      />
      {open && project.error && <p className="jp-forgather-error">{project.error}</p>}
      {open &&
        project.configs.map(config => {
          const key = configKey(project.path, config);
          const meta = model.meta.get(key);
          const out = model.outputs.get(key);
          const cfgOpen = model.isExpanded(key);
          const pretty = typeof meta === 'object' ? meta.config_name : '';
          return (
            <React.Fragment key={config}>
              <Row
                depth={depth + 1}
                kind="config"
                data={{
                  project: project.path,
                  config,
                  'config-prefix': project.config_prefix,
                  // What Run… queues, once the metadata loaded ("none": Overrides… only).
                  'job-type': typeof meta === 'object' ? (meta.job_type ?? 'none') : undefined,
                  'lab-path': project.lab_path
                    ? `${project.lab_path}/${project.config_prefix}/${config}`
                    : undefined
                }}
                expanded={cfgOpen}
                testId={`forgather-config-${config}`}
                title={
                  typeof meta === 'string'
                    ? meta
                    : [meta?.config_description, meta?.not_runnable].filter(Boolean).join('\n')
                }
                label={
                  <span className="jp-forgather-config-label">
                    <span className="jp-forgather-config-file">{config}</span>
                    {pretty && pretty !== config && (
                      <span className="jp-forgather-config-name">{pretty}</span>
                    )}
                    {typeof meta === 'string' && <span className="jp-forgather-chip-error">!</span>}
                  </span>
                }
                onClick={() => {
                  props.actions.openConfig(project.path, config);
                  model.toggle(key, () => model.loadConfig(project.path, config));
                }}
              />
              {cfgOpen && typeof out === 'object' && out.output_dir && (
                <Outputs
                  model={model}
                  outputDir={out.output_dir}
                  counts={out.counts ?? { runs: 0, checkpoints: 0, evaluations: 0 }}
                  depth={depth + 2}
                  actions={props.actions}
                />
              )}
            </React.Fragment>
          );
        })}
    </>
  );
}

function Workspace(props: {
  model: ProjectsModel;
  ws: WorkspaceNode;
  depth: number;
  actions: ITreeActions;
}): JSX.Element {
  const { model, ws, depth } = props;
  const open = model.isExpanded(ws.path);
  return (
    <>
      <Row
        depth={depth}
        kind="workspace"
        data={{ path: ws.path, 'lab-path': ws.lab_path ?? undefined, name: ws.name }}
        expanded={open}
        title={ws.error ?? ws.description}
        testId={`forgather-workspace-${ws.name}`}
        label={<span className="jp-forgather-tree-workspace">{ws.name}</span>}
        onClick={() => model.toggle(ws.path)}
      />
      {open &&
        ws.workspaces.map(child => (
          <Workspace key={child.path} {...props} ws={child} depth={depth + 1} />
        ))}
      {open &&
        ws.projects.map(p => (
          <Project
            key={p.path}
            model={model}
            project={p}
            depth={depth + 1}
            actions={props.actions}
          />
        ))}
      {open && ws.projects.length === 0 && ws.workspaces.length === 0 && (
        <p className="jp-forgather-muted" style={{ paddingLeft: `${16 + depth * 12}px` }}>
          No projects yet (right-click for New Project…)
        </p>
      )}
    </>
  );
}

/** The sidebar section. */
export function ProjectsSection(props: {
  model: ProjectsModel;
  actions: ITreeActions;
}): JSX.Element {
  const { model } = props;
  React.useEffect(() => model.ensureLoaded(), [model]);
  return (
    <section className="jp-forgather-section" aria-label="Projects">
      <header className="jp-forgather-section-header">
        <h3>Projects</h3>
        <button
          className="jp-forgather-link-button"
          onClick={() => void model.refresh()}
          title="Look for projects again"
        >
          Refresh
        </button>
        {props.actions.openMenu && (
          <button
            className="jp-forgather-link-button"
            aria-label="More project actions"
            aria-haspopup="menu"
            title="Search roots and workspaces"
            onClick={e => props.actions.openMenu?.(e.currentTarget)}
          >
            ⋯
          </button>
        )}
      </header>
      <UseSignal signal={model.changed}>
        {() => (
          <div className="jp-forgather-tree" role="tree" data-testid="forgather-projects-tree">
            {model.error && (
              <p className="jp-forgather-error" role="alert">
                {model.error}
              </p>
            )}
            {!model.tree && !model.error && <p className="jp-forgather-muted">Looking…</p>}
            {model.tree?.workspaces.map(ws => (
              <Workspace key={ws.path} model={model} ws={ws} depth={0} actions={props.actions} />
            ))}
            {model.tree && model.tree.unaffiliated.length > 0 && (
              <>
                <Row
                  depth={0}
                  kind="unaffiliated"
                  data={{}}
                  expanded={model.isExpanded('unaffiliated')}
                  label={<span className="jp-forgather-tree-workspace">Unaffiliated</span>}
                  onClick={() => model.toggle('unaffiliated')}
                />
                {model.isExpanded('unaffiliated') &&
                  model.tree.unaffiliated.map(p => (
                    <Project
                      key={p.path}
                      model={model}
                      project={p}
                      depth={1}
                      actions={props.actions}
                    />
                  ))}
              </>
            )}
            {model.tree &&
              model.tree.workspaces.length === 0 &&
              model.tree.unaffiliated.length === 0 && (
                <p className="jp-forgather-muted">No projects under the search roots.</p>
              )}
          </div>
        )}
      </UseSignal>
    </section>
  );
}

/** A renderer for the sidebar panel's list of sections. */
export function projectsSection(model: ProjectsModel, actions: ITreeActions): () => JSX.Element {
  return () => <ProjectsSection model={model} actions={actions} />;
}
