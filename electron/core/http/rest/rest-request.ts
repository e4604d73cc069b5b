import { z } from 'zod';
import { contract, type Channel } from '@shared/ipc/contract';
import { invalid } from '../../errors';

/** A request as the REST router hands it over: path parameters, query string, parsed JSON body, caller's workspace. */
export type RestRequestParts = {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  workspaceId: string;
};

/**
 * Where a route's channel input comes from. Every field of the contract's input is taken from exactly one place:
 * the caller (workspaceId), a path parameter, the query string or the JSON body. The OpenAPI document is derived
 * from the same declaration, so the two cannot drift apart.
 */
export type RestRequestSpec = {
  /** Path parameters whose input field has another name (`id` → `datastoreId`, `*` → `key`); others keep theirs. */
  params?: Readonly<Record<string, string>>;
  /**
   * Input fields read from the query string: a list of them, or `'strict'` for every input field the URL and the
   * caller do not decide. On every route any other parameter is refused by name, and so is a repeated one.
   */
  query?: readonly string[] | 'strict';
  /**
   * The JSON body carries the remaining fields. It may not set a field the URL or the caller decides (refused by
   * name), except those in `allow`, where the body's value wins and the request's is the default. A route without
   * `body` takes none: a body with any field is refused naming the field.
   */
  body?: true | { allow: readonly string[] };
  /**
   * Optional input fields the route does not take at all (the desktop's `openingId` on `connections:get`: a REST read
   * is audited every time). Refused by name like any unknown parameter or body field, and not documented.
   */
  omit?: readonly string[];
};

type JsonSchema = Record<string, unknown>;
/** The input's top-level fields as JSON Schema (types drive the query parsing), or null when the channel takes none. */
export type InputFields = { properties: Record<string, JsonSchema>; required: readonly string[] };

const fieldsCache = new Map<Channel, InputFields | null>();

/** The contract input's top-level fields: the one list REST reads a request into and documents. */
export function inputFields(channel: Channel): InputFields | null {
  if (fieldsCache.has(channel)) return fieldsCache.get(channel)!;
  const schema = contract[channel].input as z.ZodType;
  let fields: InputFields | null = null;
  if (schema instanceof z.ZodObject) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    fields = { properties: (json.properties ?? {}) as Record<string, JsonSchema>, required: (json.required ?? []) as string[] };
  }
  fieldsCache.set(channel, fields);
  return fields;
}

/**
 * Every parameter of a query string given once at most, on every route of the server (REST, the streaming routes,
 * the console bridge): `?limit=1&limit=2` is refused naming `limit`, since which one would win is a guess.
 */
export function singleValued(query: unknown): void {
  if (!query || typeof query !== 'object') return;
  for (const [name, v] of Object.entries(query)) if (Array.isArray(v)) throw invalid(`${name} may be given once`, name);
}

/**
 * The one flag reader (`?force=true`): `true` or `1` turn it on; absent, empty or anything else leaves it off, as
 * every flag route did before (none refused an unknown value).
 */
export function flag(value: unknown): boolean {
  return value === 'true' || value === '1';
}

/**
 * The one body reader: the JSON body as an object, merged with what the URL and the caller decide (`fixed`). No
 * body is `{}`; a body that is not an object, or that sets a fixed field not in `allowed`, is refused naming it.
 */
export function bodyWith(body: unknown, fixed: Record<string, unknown>, allowed: readonly string[] = []): Record<string, unknown> {
  if (body === undefined || body === null) return { ...fixed };
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('the body must be a JSON object', 'body');
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const [k, v] of Object.entries(fixed)) {
    if (Object.hasOwn(out, k) && !allowed.includes(k)) throw invalid(`unknown field: ${k}`, k);
    if (!allowed.includes(k) || out[k] === undefined || out[k] === null) out[k] = v;
  }
  return out;
}

/**
 * A route that reads no body: none, `null` or `{}`. Any field in it is unknown (refused by name, as on every other
 * route), and anything else is not a JSON object.
 */
export function noBody(body: unknown): void {
  if (body === undefined || body === null) return;
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('the body must be a JSON object', 'body');
  const [first] = Object.keys(body);
  if (first !== undefined) throw invalid(`unknown field: ${first}`, first);
}

/** A query value as the contract types the field: numbers as numbers, booleans through `flag`, text as is. */
function typed(value: string, schema: JsonSchema | undefined): unknown {
  const type = schema?.type;
  if (type === 'integer' || type === 'number') return Number(value);
  if (type === 'boolean') return flag(value);
  return value;
}

/** The query parameters a route reads (`fixed`: the fields the URL and the caller decide, never the query). */
function queryNames(which: RestRequestSpec['query'], fields: InputFields | null, fixed: Record<string, unknown>): readonly string[] {
  if (!fields) return [];
  if (which === 'strict') return Object.keys(fields.properties).filter((k) => !Object.hasOwn(fixed, k));
  return which ?? [];
}

/**
 * The query string as input fields, the same on every route: a parameter the route does not read is refused by
 * name, and so is one given twice (`?limit=1&limit=2`: which would win is a guess). Text arrives as text: an empty
 * value counts as absent, numbers and flags are converted by the field's type so the contract can stay strict. A
 * false flag is left out (the contract's default).
 */
export function queryFields(
  query: Record<string, unknown>,
  which: RestRequestSpec['query'],
  fields: InputFields | null,
  fixed: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = queryNames(which, fields, fixed);
  for (const [name, v] of Object.entries(query)) {
    if (!names.includes(name)) throw invalid(`unknown query parameter: ${name}`, name);
    if (Array.isArray(v)) throw invalid(`${name} may be given once`, name);
    if (typeof v !== 'string' || v === '') continue;
    const value = typed(v, fields?.properties[name]);
    if (value !== false) out[name] = value;
  }
  return out;
}

/**
 * Builds a route's channel input from the request, as its spec declares. Every part is read strictly, the same way
 * on every route: unknown or repeated query parameters and unknown body fields are refused by name here, and the
 * contract's strict schemas refuse unknown fields inside the body's objects.
 */
export function restInput(channel: Channel, spec: RestRequestSpec, parts: RestRequestParts): unknown {
  const fields = inputFields(channel);
  const fixed: Record<string, unknown> = {};
  if (fields && 'workspaceId' in fields.properties) fixed.workspaceId = parts.workspaceId;
  for (const [param, value] of Object.entries(parts.params)) fixed[spec.params?.[param] ?? param] = value;
  const query = queryFields(parts.query, spec.query, fields, fixed);
  if (!spec.body || !fields) noBody(parts.body);
  if (!fields) return undefined;
  const rest = spec.body ? bodyWith(parts.body, fixed, spec.body === true ? [] : spec.body.allow) : fixed;
  for (const name of spec.omit ?? []) if (Object.hasOwn(rest, name) || Object.hasOwn(query, name)) throw invalid(`unknown field: ${name}`, name);
  return { ...query, ...rest };
}
