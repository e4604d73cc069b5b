import jsonata from 'jsonata';
import type { z } from 'zod';
import { STEP_KINDS, WorkflowDefinitionSchema, type WorkflowDefinition } from '@shared/domain/workflow';
import { scheduleIssue } from './workflow-schedule';
import { stepReferences, type ReferencedType } from './workflow-references';

/** One problem of a definition: the field (from the input's root, e.g. `definition.steps.2.needs.0`) and what to fix. */
export type ValidationIssue = { field: string; message: string };

/** Whether an id names a resource of that type IN THIS WORKSPACE (another workspace's id is "no such id"). */
export type ReferenceLookup = Record<ReferencedType, (workspaceId: string, id: string) => boolean>;

const ROOT = 'definition';
const at = (...parts: Array<string | number>) => [ROOT, ...parts].join('.');

/** `{{ steps.<id>… }}` inside a string: the step it reads. */
const TEMPLATE_STEP = /\{\{\s*steps\.([A-Za-z][A-Za-z0-9_]*)/g;
/** `steps.<id>` in a JSONata expression (evaluated over `{steps, context, inputs}`). */
const EXPRESSION_STEP = /(?<![\w$.])steps\.([A-Za-z][A-Za-z0-9_]*)/g;

const NOT_FOUND: Record<ReferencedType, (id: string) => string> = {
  connection: (id) => `no connection with id ${id} in this workspace`,
  datastore: (id) => `no datastore with id ${id} in this workspace`,
  secret: (id) => `no secret with id ${id} in this workspace (secret ids are case-sensitive UUIDs)`,
};

/** zod's issues as fields a person can find: unknown kinds, unknown keys and union branches named plainly. */
function schemaIssues(error: z.ZodError): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const visit = (issue: z.core.$ZodIssue, prefix: PropertyKey[]) => {
    const path = [...prefix, ...issue.path].map(String);
    if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'kind') {
      out.push({ field: at(...path), message: `unknown step kind: use one of ${STEP_KINDS.join(', ')}` });
      return;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The branch that got furthest says the most (e.g. a `{"$secret"}` whose id is not text).
      const best = issue.errors.reduce((a, b) => (Math.max(0, ...b.map((i) => i.path.length)) > Math.max(0, ...a.map((i) => i.path.length)) ? b : a));
      const deepest = best.reduce((a, b) => (b.path.length > a.path.length ? b : a), best[0]!);
      if (deepest) return visit(deepest, [...prefix, ...issue.path]);
    }
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ field: at(...path, k), message: `unknown field: ${k}` });
      return;
    }
    out.push({ field: path.length ? at(...path) : ROOT, message: issue.message });
  };
  for (const issue of error.issues) visit(issue, []);
  return out;
}

/** Every string inside a value, with its path (for templates). */
function* stringsIn(value: unknown, path: Array<string | number>): Generator<[string, Array<string | number>]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* stringsIn(v, [...path, i]);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* stringsIn(v, [...path, k]);
}

/** The DAG: duplicate ids, unknown needs, cycles (named), and templates that read a step that is not an ancestor. */
function graphIssues(def: WorkflowDefinition): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const index = new Map<string, number>();
  def.steps.forEach((s, i) => {
    if (index.has(s.id)) out.push({ field: at('steps', i, 'id'), message: `duplicate step id "${s.id}" (also step ${index.get(s.id)}): step ids are unique` });
    else index.set(s.id, i);
  });
  const needs = new Map<string, string[]>();
  def.steps.forEach((s, i) => {
    const known: string[] = [];
    (s.needs ?? []).forEach((n, j) => {
      if (n === s.id) out.push({ field: at('steps', i, 'needs', j), message: `step "${s.id}" cannot need itself` });
      else if (!index.has(n)) out.push({ field: at('steps', i, 'needs', j), message: `unknown step "${n}" in needs: no step has that id` });
      else known.push(n);
    });
    if (!needs.has(s.id)) needs.set(s.id, known);
  });

  // Cycles: depth-first, each reported once with the path that closes it.
  const state = new Map<string, 'open' | 'done'>();
  const reported = new Set<string>();
  const walk = (id: string, trail: string[]) => {
    state.set(id, 'open');
    for (const n of needs.get(id) ?? []) {
      if (state.get(n) === 'open') {
        // n is on the current path (trail + id): the cycle runs from it down to id and back.
        const cycle = [...trail.slice(trail.indexOf(n)), id, n];
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const i = index.get(id)!;
          const j = (def.steps[i]!.needs ?? []).indexOf(n);
          out.push({ field: at('steps', i, 'needs', j), message: `needs form a cycle: ${cycle.join(' → ')}` });
        }
      } else if (!state.has(n)) walk(n, [...trail, id]);
    }
    state.set(id, 'done');
  };
  for (const s of def.steps) if (!state.has(s.id)) walk(s.id, []);
  if (reported.size > 0) return out;

  // Ancestors via needs (the graph is acyclic here).
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (id: string): Set<string> => {
    let set = ancestors.get(id);
    if (set) return set;
    set = new Set<string>();
    for (const n of needs.get(id) ?? []) {
      set.add(n);
      for (const a of ancestorsOf(n)) set.add(a);
    }
    ancestors.set(id, set);
    return set;
  };
  def.steps.forEach((s, i) => {
    const reads: Array<[string, Array<string | number>]> = [];
    if (s.kind === 'transform') {
      for (const m of s.config.expression.matchAll(EXPRESSION_STEP)) reads.push([m[1]!, ['config', 'expression']]);
    } else {
      for (const [text, path] of stringsIn(s.config, ['config'])) for (const m of text.matchAll(TEMPLATE_STEP)) reads.push([m[1]!, path]);
    }
    const seen = new Set<string>();
    for (const [target, path] of reads) {
      const field = at('steps', i, ...path);
      if (seen.has(`${target} ${field}`) || ancestorsOf(s.id).has(target)) continue;
      seen.add(`${target} ${field}`);
      const why = index.has(target) ? `step "${target}" is not among the steps "${s.id}" needs (directly or through others): add it to needs` : `no step has the id "${target}"`;
      out.push({ field, message: `reads steps.${target}, but ${why}` });
    }
  });
  return out;
}

/** Schedule and time zone, read by the same library the scheduler uses. */
function scheduleIssues(def: WorkflowDefinition): ValidationIssue[] {
  const timezone = def.timezone ?? 'UTC';
  if (def.schedule) {
    const issue = scheduleIssue(def.schedule, timezone);
    return issue ? [{ field: at(issue.field), message: issue.message }] : [];
  }
  if (def.timezone !== undefined) {
    try {
      Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      return [{ field: at('timezone'), message: `timezone "${timezone}" is not an IANA time zone (e.g. UTC, Europe/Paris)` }];
    }
  }
  return [];
}

/** JSONata expressions that do not parse. The parser is the library's own: nothing is evaluated here. */
function expressionIssues(def: WorkflowDefinition): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  def.steps.forEach((s, i) => {
    if (s.kind !== 'transform') return;
    try {
      jsonata(s.config.expression);
    } catch (e) {
      const err = e as { message?: unknown; position?: unknown };
      const why = typeof err.message === 'string' ? err.message : 'syntax error';
      const where = typeof err.position === 'number' ? ` (at character ${err.position})` : '';
      out.push({ field: at('steps', i, 'config', 'expression'), message: `the expression is not valid JSONata: ${why}${where}` });
    }
  });
  return out;
}

/** Connections, datastores and secrets the steps name, looked up in this workspace only. */
function referenceIssues(def: WorkflowDefinition, workspaceId: string, lookup: ReferenceLookup): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const known = new Map<string, boolean>();
  def.steps.forEach((s, i) => {
    for (const r of stepReferences(s)) {
      const k = `${r.type} ${r.id}`;
      let exists = known.get(k);
      if (exists === undefined) {
        exists = lookup[r.type](workspaceId, r.id);
        known.set(k, exists);
      }
      if (!exists) out.push({ field: at('steps', i, r.field), message: NOT_FOUND[r.type](r.id) });
    }
  });
  return out;
}

/**
 * Checks a definition as a save does, and returns every issue (the editor lists them all; a save refuses with the
 * first). The schema comes first: the other checks need a well-formed definition, so they run only when it is one.
 */
export function validateDefinition(
  raw: unknown,
  workspaceId: string,
  lookup: ReferenceLookup,
): { ok: true; definition: WorkflowDefinition; issues: [] } | { ok: false; issues: ValidationIssue[] } {
  const parsed = WorkflowDefinitionSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: schemaIssues(parsed.error) };
  const def = parsed.data;
  const issues = [...graphIssues(def), ...scheduleIssues(def), ...expressionIssues(def), ...referenceIssues(def, workspaceId, lookup)];
  return issues.length ? { ok: false, issues } : { ok: true, definition: def, issues: [] };
}
