import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, type Channel } from '@shared/ipc/contract';

type Json = Record<string, unknown>;

/** Every object in a JSON Schema that lists properties but would accept others, by path. */
function lenientObjects(schema: unknown, path: string, out: string[]): string[] {
  if (!schema || typeof schema !== 'object') return out;
  const s = schema as Json;
  if (s.properties && s.additionalProperties !== false) out.push(path || '(input)');
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties') for (const [p, ps] of Object.entries(v as Json)) lenientObjects(ps, path ? `${path}.${p}` : p, out);
    else if (v && typeof v === 'object') lenientObjects(v, path, out);
  }
  return out;
}

/**
 * Unknown fields are refused on every channel (IPC, the console bridge, REST) because every input schema is strict,
 * down to its nested objects (records, whose keys are data, excepted). A channel added with z.object() fails here.
 */
describe('every channel input is strict', () => {
  it.each(Object.keys(contract) as Channel[])('%s', (channel) => {
    const input = contract[channel].input as z.ZodType;
    if (input instanceof z.ZodUndefined) return;
    const json = z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' });
    expect(lenientObjects(json, '', [])).toEqual([]);
  });

  it('a channel without input takes none', () => {
    const none = (Object.keys(contract) as Channel[]).filter((c) => contract[c].input instanceof z.ZodUndefined);
    expect(none.length).toBeGreaterThan(0);
    for (const c of none) expect((contract[c].input as z.ZodType).safeParse({ a: 1 }).success, c).toBe(false);
  });
});
