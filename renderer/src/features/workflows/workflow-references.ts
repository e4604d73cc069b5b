/**
 * What a workflow definition (as the editor's text) references, read without zod (the renderer bundle stays free of
 * it): the connection, secret and datastore ids each step names, where, and which of them do not exist in the
 * workspace. The core checks the same on save; this local check flags an imported file's placeholder ids at once,
 * before the server's debounced validation answers, and tells the pickers which placeholders they can replace.
 */

export type RefKind = 'connection' | 'secret' | 'datastore';
export const REF_KINDS: readonly RefKind[] = ['connection', 'secret', 'datastore'];

/** One place a definition names an id: the step, and the field path the core's validation issues use. */
export type RefUse = { kind: RefKind; id: string; stepId: string; field: string };
export type RefOption = { id: string; name: string; detail?: string };
export type RefOptions = Record<RefKind, RefOption[]>;
export type Issue = { field: string; message: string };

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The definition parsed, or the JSON syntax error (shown as an issue on the whole file). */
export function parseDefinition(text: string): { ok: true; value: Json } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (e) {
    return { ok: false, message: `not valid JSON: ${(e as Error).message}` };
  }
}

function secretRefs(v: Json, path: string, stepId: string, out: RefUse[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => secretRefs(x, `${path}[${i}]`, stepId, out));
  else if (isObject(v)) {
    if (typeof v.$secret === 'string' && Object.keys(v).length === 1) out.push({ kind: 'secret', id: v.$secret, stepId, field: `${path}.$secret` });
    else for (const [k, x] of Object.entries(v)) secretRefs(x, `${path}.${k}`, stepId, out);
  }
}

/** Every reference in a parsed definition, in step order. Tolerates half-written definitions (skips what is not there). */
export function findReferences(def: Json): RefUse[] {
  const out: RefUse[] = [];
  const steps = isObject(def) && Array.isArray(def.steps) ? def.steps : [];
  steps.forEach((step: Json, i) => {
    if (!isObject(step) || !isObject(step.config)) return;
    const stepId = typeof step.id === 'string' ? step.id : `#${i}`;
    const base = `steps[${i}].config`;
    if (step.kind === 'http' && typeof step.config.connectionId === 'string') out.push({ kind: 'connection', id: step.config.connectionId, stepId, field: `${base}.connectionId` });
    if (step.kind === 'storage' && typeof step.config.datastoreId === 'string') out.push({ kind: 'datastore', id: step.config.datastoreId, stepId, field: `${base}.datastoreId` });
    secretRefs(step.config, base, stepId, out);
  });
  return out;
}

/** "no connection with id … in this workspace" for each reference the workspace's lists do not hold. */
export function missingReferenceIssues(uses: readonly RefUse[], options: RefOptions): Issue[] {
  return uses.filter((u) => !options[u.kind].some((o) => o.id === u.id)).map((u) => ({ field: u.field, message: `no ${u.kind} with id ${u.id} in this workspace` }));
}

/** The ids of one kind the definition names but the workspace does not have (the placeholders a picker replaces). */
export function unknownIds(uses: readonly RefUse[], options: RefOptions, kind: RefKind): Array<{ id: string; stepIds: string[] }> {
  const byId = new Map<string, string[]>();
  for (const u of uses) if (u.kind === kind && !options[kind].some((o) => o.id === u.id)) byId.set(u.id, [...(byId.get(u.id) ?? []), u.stepId]);
  return [...byId].map(([id, stepIds]) => ({ id, stepIds }));
}

/** The server's issues first; a local one only where the server has none for that field (its wording wins). */
export function mergeIssues(server: readonly Issue[], local: readonly Issue[]): Issue[] {
  return [...server, ...local.filter((l) => !server.some((s) => s.field === l.field))];
}

/**
 * Replaces every quoted occurrence of `from` with `to` in the editor's text (a placeholder id is a JSON string, so
 * only whole string values change; text outside quotes, and longer ids that contain it, are left alone).
 */
export function replaceId(text: string, from: string, to: string): string {
  return text.split(`"${from}"`).join(`"${to}"`);
}

/** What a picker inserts at the cursor: an id as a JSON string, a secret as `{"$secret": …}`; bare when inside quotes. */
export function referenceSnippet(kind: RefKind, id: string, insideString: boolean): string {
  if (insideString) return id;
  return kind === 'secret' ? `{ "$secret": "${id}" }` : `"${id}"`;
}

/** The steps of a definition that name a given resource (for "Used by … (steps read, write)"). */
export function stepsUsing(def: Json, kind: RefKind, id: string): string[] {
  return [...new Set(findReferences(def).filter((u) => u.kind === kind && u.id === id).map((u) => u.stepId))];
}
