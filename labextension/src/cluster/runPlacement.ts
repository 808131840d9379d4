/**
 * Where a Run goes, in cluster mode: a "Run on" select (this node, any node,
 * each reachable peer, or several nodes) and, for several, the multi-node
 * panel: a check box per reachable node with its GPUs (workers) and socket
 * interface, the rendezvous host, an optional port, and whether to allow a
 * version mismatch. Plain labelled fields, as the rest of the Run form, read
 * back into `POST /queue`'s `node` or a `POST /cluster/jobs` body.
 */
import { type TranslationBundle } from '@jupyterlab/translation';

import type { ICreateClusterJob } from '../client/clusterJobs';
import type { CreateJob } from '../client/schemas';
import { field, input } from '../jobs/forms';
import { FormError } from '../jobs/schedulingFields';
import type { DescribeMember } from './api';
import { majority, nodeHealth } from './health';
import { type ClusterModel } from './model';

/** "Run on" values besides a node id. */
export const THIS_NODE = 'local';
export const ANY_NODE = 'any';
export const MULTI_NODE = 'multi';

let counter = 0;

/** One node's row of the multi-node panel. */
class Participant {
  constructor(
    parent: HTMLElement,
    trans: TranslationBundle,
    readonly member: DescribeMember,
    label: string,
    gpus: number
  ) {
    const row = document.createElement('div');
    row.className = 'jp-forgather-participant';
    row.dataset.nodeId = member.node_id;
    const id = `jp-forgather-participant-${++counter}`;
    this.use = input('checkbox', '', { id });
    const name = document.createElement('label');
    name.htmlFor = id;
    name.textContent = label;
    this.gpus = input('number', String(gpus), {
      min: '0',
      'aria-label': trans.__('GPUs on %1', label)
    });
    this.gpus.className = 'jp-mod-styled jp-forgather-participant-gpus';
    this.iface = document.createElement('select');
    this.iface.className = 'jp-mod-styled';
    this.iface.setAttribute('aria-label', trans.__('Interface on %1', label));
    const auto = document.createElement('option');
    auto.value = '';
    auto.textContent = trans.__('interface: from its address');
    this.iface.append(auto);
    const names = new Set((member.probe?.interfaces ?? []).map(i => i.name));
    for (const n of names) {
      const opt = document.createElement('option');
      opt.value = opt.textContent = n;
      this.iface.append(opt);
    }
    row.append(this.use, name, this.gpus, this.iface);
    parent.append(row);
  }

  readonly use: HTMLInputElement;
  readonly gpus: HTMLInputElement;
  readonly iface: HTMLSelectElement;
}

export class ClusterPlacement {
  /**
   * @param onMulti called when "several nodes" is picked or left (the form hides its
   *   own GPUs field then: each node says its own).
   */
  constructor(
    parent: HTMLElement,
    private readonly _trans: TranslationBundle,
    readonly cluster: ClusterModel,
    gpus: number,
    private readonly _onMulti: (on: boolean) => void
  ) {
    const trans = _trans;
    const members = (cluster.cluster?.members ?? []).filter(m => m.reachable);
    const agreed = majority(cluster.cluster?.members ?? [], cluster.cluster?.master);
    const self = members.find(m => m.is_self);
    const label = (m: DescribeMember) => {
      const name = cluster.nodeLabel(m.node_id);
      return nodeHealth(m, agreed).level === 'diverging'
        ? trans.__('%1 (versions differ)', name)
        : name;
    };
    const select = document.createElement('select');
    const option = (value: string, text: string) => {
      const opt = document.createElement('option');
      opt.value = value;
      opt.textContent = text;
      select.append(opt);
    };
    option(THIS_NODE, trans.__('This node (%1)', self ? label(self) : trans.__('here')));
    option(ANY_NODE, trans.__('Any node (where it starts soonest)'));
    for (const m of members.filter(x => !x.is_self)) {
      option(m.node_id, label(m));
    }
    option(MULTI_NODE, trans.__('Several nodes (multi-node torchrun)'));
    this.runOn = field(
      parent,
      trans.__('Run on'),
      select,
      trans.__('Cluster mode: queue it on a node, or run one torchrun per node')
    ) as HTMLSelectElement;

    const panel = document.createElement('fieldset');
    panel.className = 'jp-forgather-multinode';
    panel.setAttribute('aria-label', trans.__('Multi-node'));
    const legend = document.createElement('legend');
    legend.textContent = trans.__('Participants: GPUs (workers) per node, socket interface');
    panel.append(legend);
    for (const m of members) {
      this._participants.push(new Participant(panel, trans, m, label(m), gpus));
    }
    const rdzv = document.createElement('select');
    for (const m of members) {
      const opt = document.createElement('option');
      opt.value = m.node_id;
      opt.textContent = label(m);
      rdzv.append(opt);
    }
    if (self) {
      rdzv.value = self.node_id;
    }
    this.rdzvNode = field(
      panel,
      trans.__('Rendezvous host'),
      rdzv,
      trans.__('Rank 0: the c10d store listens there; it must be a participant')
    ) as HTMLSelectElement;
    this.rdzvPort = field(
      panel,
      trans.__('Rendezvous port'),
      input('number', '', { min: '1', max: '65535', placeholder: trans.__('any free port') })
    ) as HTMLInputElement;
    const mismatch = input('checkbox', '');
    this.allowMismatch = field(
      panel,
      trans.__('Allow version mismatch'),
      mismatch,
      trans.__('Start even where the nodes report different torch, CUDA, NCCL… versions')
    ) as HTMLInputElement;
    this.error = document.createElement('p');
    this.error.className = 'jp-forgather-error';
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    panel.append(this.error);
    parent.append(panel);
    this.panel = panel;
    panel.hidden = true;
    select.addEventListener('change', () => {
      panel.hidden = !this.multi;
      this._onMulti(this.multi);
    });
  }

  readonly runOn: HTMLSelectElement;
  readonly panel: HTMLFieldSetElement;
  readonly rdzvNode: HTMLSelectElement;
  readonly rdzvPort: HTMLInputElement;
  readonly allowMismatch: HTMLInputElement;
  /** Why the server refused the multi-node job (the dialog stays open to fix it). */
  readonly error: HTMLParagraphElement;

  /** Whether "several nodes" is picked. */
  get multi(): boolean {
    return this.runOn.value === MULTI_NODE;
  }

  /** Show (or, with null, clear) the server's message. */
  showError(message: string | null): void {
    this.error.textContent = message ?? '';
    this.error.hidden = message === null;
  }

  /** A single-node job's `node` (left out for this node: the server's default). */
  apply(job: CreateJob): CreateJob {
    if (!this.multi && this.runOn.value !== THIS_NODE) {
      job.node = this.runOn.value;
    }
    return job;
  }

  /** The `POST /cluster/jobs` body from the Run form's job (its config, arguments, priority, name). */
  request(job: CreateJob): ICreateClusterJob {
    const trans = this._trans;
    const participants = this._participants
      .filter(p => p.use.checked)
      .map(p => {
        const gpus = Number(p.gpus.value);
        if (p.gpus.value.trim() === '' || !Number.isInteger(gpus) || gpus < 0) {
          throw new FormError(trans.__('GPUs on %1: a whole number, 0 or more', p.member.hostname));
        }
        return { node_id: p.member.node_id, gpus, iface: p.iface.value || null };
      });
    if (participants.length === 0) {
      throw new FormError(trans.__('Tick the nodes to run on'));
    }
    const rdzv = this.rdzvNode.value;
    if (!participants.some(p => p.node_id === rdzv)) {
      throw new FormError(trans.__('The rendezvous host must be one of the ticked nodes'));
    }
    let port: number | null = null;
    if (this.rdzvPort.value.trim() !== '') {
      port = Number(this.rdzvPort.value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new FormError(trans.__('Rendezvous port: a whole number from 1 to 65535'));
      }
    }
    return {
      project_dir: job.project_dir ?? '',
      config: job.config ?? '',
      dynamic_args: (job.dynamic_args as Record<string, unknown> | null | undefined) ?? {},
      priority: job.priority ?? 0,
      name: job.name ?? null,
      participants,
      rdzv_node: rdzv,
      rdzv_port: port,
      allow_version_mismatch: this.allowMismatch.checked
    };
  }

  private _participants: Participant[] = [];
}
