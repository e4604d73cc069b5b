import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';
import { StepError } from './step-kind';

/**
 * Resolves a step's config when the step runs (never earlier): `{"$secret": "<id>"}` objects become the secret's
 * value, and `{{ path }}` templates in strings become the referenced value, where path is `steps.<id>.output…`,
 * `context.…` (the merged outputs of the steps this one needs; `context.fileContent` is the first needed step's) or
 * `inputs.<name>`. A string that is exactly one template keeps the value's type; otherwise values are written into
 * the text (objects as JSON, null/missing as nothing).
 *
 * What must stay true: a template may only reach steps this step (transitively) needs, whose outputs exist by the
 * time it runs; anything else is an error naming the template, never a silent empty value.
 */
export type ResolveScope = {
  /** Outputs of the steps this step may reference (its ancestors), by id, full (not the capped stored form). */
  steps: Pick<ReadonlyMap<string, unknown>, 'has' | 'get'>;
  context: Record<string, unknown>;
  inputs: Record<string, unknown>;
};

/** Reads a secret for injection; throws NOT_FOUND (AppError) for an unknown id. */
export type SecretReader = (secretId: string) => string;

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const EXACT = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$|^\d+$/;

function splitPath(path: string): string[] {
  // a.b[0].c → a, b, 0, c
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .map((s) => s.trim());
}

function lookup(path: string, scope: ResolveScope): unknown {
  const parts = splitPath(path);
  if (parts.some((p) => !SEGMENT.test(p))) throw new StepError('INVALID_INPUT', `template {{ ${path} }} is not a path (steps.<id>.output…, context.…, inputs.<name>)`);
  const [root, ...rest] = parts;
  let cur: unknown;
  if (root === 'steps') {
    const id = rest.shift();
    if (!id || !scope.steps.has(id)) throw new StepError('INVALID_INPUT', `template {{ ${path} }}: step "${id ?? ''}" is not a step this one needs (add it to needs)`);
    const field = rest.shift();
    if (field !== 'output') throw new StepError('INVALID_INPUT', `template {{ ${path} }}: write steps.${id}.output…`);
    cur = scope.steps.get(id);
  } else if (root === 'context') cur = scope.context;
  else if (root === 'inputs') cur = scope.inputs;
  else throw new StepError('INVALID_INPUT', `template {{ ${path} }} must start with steps., context. or inputs.`);
  for (const p of rest) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const asText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

function resolveString(s: string, scope: ResolveScope): unknown {
  if (!s.includes('{{')) return s;
  const exact = EXACT.exec(s);
  if (exact) return lookup(exact[1]!, scope) ?? null;
  return s.replace(TEMPLATE, (_m, path: string) => asText(lookup(path, scope)));
}

function isSecretRef(v: unknown): v is { $secret: string } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $secret?: unknown }).$secret === 'string';
}

/**
 * The config with every reference resolved. `readSecret` is called once per distinct secret id; `onSecret` gets each
 * value (the runner registers it with the run's scrubber before the step sees it).
 */
export function resolveConfig(config: unknown, scope: ResolveScope, readSecret: SecretReader, onSecret: (value: string) => void): unknown {
  const cache = new Map<string, string>();
  const secret = (id: string): string => {
    let v = cache.get(id);
    if (v === undefined) {
      try {
        v = readSecret(id);
      } catch (e) {
        if ((e as { code?: string }).code === 'NOT_FOUND') throw new StepError('NOT_FOUND', RUN_MESSAGES.secretNotFound(id));
        throw e;
      }
      cache.set(id, v);
      onSecret(v);
    }
    return v;
  };
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 100) throw new StepError('INVALID_INPUT', 'config is nested too deeply');
    if (typeof v === 'string') return resolveString(v, scope);
    if (v === null || typeof v !== 'object') return v;
    if (isSecretRef(v)) return secret(v.$secret);
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(config, 0);
}

/**
 * `context` of a step: the merge of the outputs (objects) of the steps it needs, in `needs` order (later wins), with
 * `fileContent` taken from the first needed step that has one.
 */
export function contextOf(needed: ReadonlyArray<{ output: unknown }>): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  let fileContent: unknown;
  for (const n of needed) {
    const o = n.output;
    if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
      Object.assign(ctx, o);
      if (fileContent === undefined && Object.hasOwn(o, 'fileContent')) fileContent = (o as { fileContent: unknown }).fileContent;
    }
  }
  if (fileContent !== undefined) ctx.fileContent = fileContent;
  return ctx;
}
