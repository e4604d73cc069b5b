import type { StepStatus } from '@shared/domain/workflow.catalog';

/**
 * The DAG preview's input, read from the editor's (possibly half-written) definition without zod: a node per step,
 * an edge per `needs` entry that names a step of the definition (a dangling need is a validation issue, not an edge).
 */
export type DagNode = { id: string; kind: string; label: string; status?: StepStatus };
export type DagEdge = { from: string; to: string };
export type DagInput = { nodes: DagNode[]; edges: DagEdge[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function dagInput(def: unknown, statuses: Readonly<Record<string, StepStatus>> = {}): DagInput {
  const steps = isObject(def) && Array.isArray(def.steps) ? def.steps.filter(isObject) : [];
  const nodes: DagNode[] = [];
  const seen = new Set<string>();
  for (const s of steps) {
    if (typeof s.id !== 'string' || seen.has(s.id)) continue;
    seen.add(s.id);
    const kind = typeof s.kind === 'string' ? s.kind : '?';
    const status = statuses[s.id];
    nodes.push({ id: s.id, kind, label: typeof s.name === 'string' && s.name ? s.name : s.id, ...(status ? { status } : {}) });
  }
  const edges: DagEdge[] = [];
  for (const s of steps) {
    if (typeof s.id !== 'string' || !Array.isArray(s.needs)) continue;
    for (const n of s.needs) if (typeof n === 'string' && seen.has(n) && n !== s.id) edges.push({ from: n, to: s.id });
  }
  return { nodes, edges };
}
