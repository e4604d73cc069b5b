import type { ConfigValue, WorkflowDefinition, WorkflowStep } from '@shared/domain/workflow';

/** The resource types a definition can reference (the reference index's `to.type`). */
export type ReferencedType = 'connection' | 'secret' | 'datastore';

/** One place a step names a resource: the id, and the field (relative to the step) that names it. */
export type StepReference = { type: ReferencedType; id: string; field: string };

/** A `{"$secret": "<id>"}` value: exactly that one key, holding text. */
export function secretRefOf(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const keys = Object.keys(v);
  if (keys.length !== 1 || keys[0] !== '$secret') return null;
  const id = (v as { $secret: unknown }).$secret;
  return typeof id === 'string' ? id : null;
}

/** Every `{"$secret"}` inside a config value, with its path (dot-separated, from `base`). */
function secretsIn(value: ConfigValue | unknown, base: string, out: StepReference[]): void {
  const id = secretRefOf(value);
  if (id !== null) {
    out.push({ type: 'secret', id, field: `${base}.$secret` });
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => secretsIn(v, `${base}.${i}`, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) secretsIn(v, `${base}.${k}`, out);
}

/**
 * The resources one step references, each with its field (`config.connectionId`, `config.headers.X.$secret`…). A
 * new step kind that names a resource by id adds its field here (the step-kind registry's `references` says the same
 * at run time; this module must not depend on the runner).
 */
export function stepReferences(step: WorkflowStep): StepReference[] {
  const out: StepReference[] = [];
  switch (step.kind) {
    case 'http':
      out.push({ type: 'connection', id: step.config.connectionId, field: 'config.connectionId' });
      break;
    case 'storage':
      out.push({ type: 'datastore', id: step.config.datastoreId, field: 'config.datastoreId' });
      break;
    case 'transform':
      break;
  }
  secretsIn(step.config, 'config', out);
  return out;
}

/** Per referenced resource, the steps (in definition order) that reference it: the Workflow record's `references`. */
export function definitionReferences(def: WorkflowDefinition): Array<{ type: ReferencedType; id: string; stepIds: string[] }> {
  const byTarget = new Map<string, { type: ReferencedType; id: string; stepIds: string[] }>();
  for (const step of def.steps) {
    for (const r of stepReferences(step)) {
      const k = `${r.type}\u0000${r.id}`;
      const entry = byTarget.get(k) ?? { type: r.type, id: r.id, stepIds: [] };
      if (!entry.stepIds.includes(step.id)) entry.stepIds.push(step.id);
      byTarget.set(k, entry);
    }
  }
  return [...byTarget.values()];
}
