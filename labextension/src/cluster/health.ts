/**
 * A node's health dot: green (reachable, versions agreeing with the
 * cluster's majority), yellow (reachable, some version differs or is
 * missing), red (unreachable). Pure, so the section only renders it.
 */
import type { DescribeMember, ProbeVersions } from './api';

export type HealthLevel = 'ok' | 'diverging' | 'unreachable';

/** The versions multi-node training needs to agree on (`platform` differs by kernel build). */
export const COMPARED: readonly (keyof ProbeVersions)[] = [
  'forgather_lab',
  'python',
  'torch',
  'cuda',
  'nccl',
  'transformers'
];

/** The versions shown as chips on every node, diverging or not. */
export const CHIPS: readonly (keyof ProbeVersions)[] = ['forgather_lab', 'python', 'torch', 'cuda'];

export interface INodeHealth {
  level: HealthLevel;
  /** The compared keys whose value on this node is not the majority's. */
  diverging: (keyof ProbeVersions)[];
}

/**
 * The majority value of every compared key over the members with a probe
 * (unreachable ones too: their install did not change when they went
 * quiet). A tie goes to the master's value, so two nodes that disagree
 * show one yellow dot, not two.
 */
export function majority(
  members: readonly DescribeMember[],
  master: string | null | undefined
): Partial<Record<keyof ProbeVersions, string | null>> {
  const out: Partial<Record<keyof ProbeVersions, string | null>> = {};
  const probed = members.filter(m => m.probe);
  const ref = probed.find(m => m.node_id === master) ?? probed.find(m => m.is_self);
  for (const key of COMPARED) {
    const counts = new Map<string | null, number>();
    for (const m of probed) {
      const v = m.probe?.versions[key] ?? null;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const top = Math.max(0, ...counts.values());
    const tied = [...counts].filter(([, n]) => n === top).map(([v]) => v);
    const mine = ref?.probe?.versions[key] ?? null;
    out[key] = tied.length > 1 && tied.includes(mine) ? mine : (tied[0] ?? null);
  }
  return out;
}

export function nodeHealth(
  member: DescribeMember,
  agreed: Partial<Record<keyof ProbeVersions, string | null>>
): INodeHealth {
  if (!member.reachable) {
    return { level: 'unreachable', diverging: [] };
  }
  const versions = member.probe?.versions;
  const diverging = COMPARED.filter(key => (versions?.[key] ?? null) !== (agreed[key] ?? null));
  return { level: diverging.length ? 'diverging' : 'ok', diverging };
}
