/**
 * The parameters table of the Compare view: one row per thing that can
 * differ between runs (dynamic args, config, command flags, priority, GPUs,
 * attempt, ...), one column per run, and whether the row differs.
 * Pure functions over job records, so the Lab and the notebook widget agree.
 */
import type { DescribeJob } from '../client/schemas';
import { duration } from './format';

export interface IParamRow {
  /** What the row is ("dynamic_args.lr", "priority"). */
  key: string;
  /** Its value in each run, as text ("" where a run has none). */
  values: string[];
  /** Not the same in every run (only set on what a run is made with, not on outcomes). */
  differs: boolean;
  /** `param`: what the run was made with; `outcome`: what happened (status, duration). */
  kind: 'param' | 'outcome';
}

/** Rows that say what happened, not how the run was made: never highlighted. */
const OUTCOMES = new Set(['status', 'gpus', 'exit_code', 'duration']);

/** A value as one line of text (objects as compact JSON). */
export function text(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value);
}

/** `--name value` and `--name=value` of a command line, by flag (a bare flag is "true"). */
export function commandFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (!/^--[A-Za-z]/.test(word)) {
      continue;
    }
    const eq = word.indexOf('=');
    if (eq > 0) {
      flags.set(word.slice(0, eq), word.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags.set(word, next);
      i++;
    } else {
      flags.set(word, 'true');
    }
  }
  return flags;
}

function seconds(job: DescribeJob): string {
  if (!job.started_at) {
    return '';
  }
  return duration(Math.max(0, (job.ended_at ?? Date.now() / 1000) - job.started_at));
}

/** What each job says about one row, by row key, in the order rows are shown. */
function facts(job: DescribeJob): Map<string, string> {
  const params = job.params ?? {};
  const out = new Map<string, string>();
  out.set('job_type', job.job_type);
  if (params.project_dir !== undefined) {
    out.set('project_dir', text(params.project_dir));
  }
  if (params.config !== undefined) {
    out.set('config', text(params.config));
  }
  const dynamic = params.dynamic_args;
  if (dynamic && typeof dynamic === 'object' && !Array.isArray(dynamic)) {
    for (const [k, v] of Object.entries(dynamic as Record<string, unknown>)) {
      out.set(`dynamic_args.${k}`, text(v));
    }
  }
  const argv = params.argv;
  if (Array.isArray(argv)) {
    const words = argv.map(a => String(a));
    out.set('command', words.join(' '));
    commandFlags(words).forEach((v, k) => out.set(`command ${k}`, v));
  }
  if (params.cwd !== undefined) {
    out.set('cwd', text(params.cwd));
  }
  out.set('priority', String(job.priority));
  out.set('requested_gpus', String(job.requested_gpus));
  out.set('attempt', String(job.attempt ?? 1));
  out.set('rerun_of', job.rerun_of ?? '');
  out.set('group', job.group ?? '');
  out.set('status', job.status);
  out.set('gpus', job.gpus.join(','));
  out.set('exit_code', job.exit_code === null ? '' : String(job.exit_code));
  out.set('duration', seconds(job));
  return out;
}

/**
 * The rows for `jobs` (the run columns, in order; the run names are the
 * column heads, so not a row); differing rows first if `differingFirst`.
 */
export function paramRows(jobs: readonly DescribeJob[], differingFirst = false): IParamRow[] {
  const perJob = jobs.map(facts);
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const f of perJob) {
    for (const k of f.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  const rows = keys
    .map(key => {
      const values = perJob.map(f => f.get(key) ?? '');
      const kind: IParamRow['kind'] = OUTCOMES.has(key) ? 'outcome' : 'param';
      const differs = kind === 'param' && jobs.length > 1 && new Set(values).size > 1;
      return { key, values, differs, kind };
    })
    .filter(row => row.values.some(v => v !== ''));
  if (differingFirst) {
    rows.sort((a, b) => Number(b.differs) - Number(a.differs));
  }
  return rows;
}

/** last / min / max of a curve (finite values only), or null when it has none. */
export function summary(
  points: ReadonlyArray<readonly [number, number | null]>
): { last: number; min: number; max: number; lastStep: number } | null {
  let out: { last: number; min: number; max: number; lastStep: number } | null = null;
  for (const [step, v] of points) {
    if (v === null || !isFinite(v)) {
      continue;
    }
    out = out
      ? { last: v, lastStep: step, min: Math.min(out.min, v), max: Math.max(out.max, v) }
      : { last: v, lastStep: step, min: v, max: v };
  }
  return out;
}
