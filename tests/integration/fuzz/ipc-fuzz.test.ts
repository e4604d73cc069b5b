import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, type Channel } from '@shared/ipc/contract';
import { CHANNELS } from '@shared/ipc/channels';
import type { Actor } from '@shared/domain/actor';
import { startFuzzBench, stopFuzzBench, type FuzzBench } from './fuzz-bench';
import type { Expectation } from './fuzz-invariants';
import { RUNS, SEED, checkProperty, described, timeoutFor } from './fuzz-config';
import { byMode, fuzzed, hostileString, modesArb, type Mode } from './hostile-values';
import { idKindFor } from './fuzz-pools';
import { CLIENT_MADE_IDS, inputObjectArb, inputSchema, keepLocal } from './contract-inputs';

/**
 * Property-based fuzzing of dispatch, the one entry point behind Electron IPC, the console bridge and the tests
 * (issue 14): every channel of the contract with valid-ish and hostile inputs, including what Electron's structured
 * clone can carry and JSON cannot (dates, maps, typed arrays, bigints, cycles, prototype-less objects), from callers of
 * every strength, plus names that are no channel. Same invariants as over HTTP (fuzz-bench.ts): the envelope's code
 * is never a 5xx, no canary in it, nothing changed when it is a 4xx, the output matches the contract.
 */
const FILE = 'tests/integration/fuzz/ipc-fuzz.test.ts';

let b: FuzzBench;
beforeAll(async () => {
  b = await startFuzzBench();
});
afterAll(() => stopFuzzBench(b));

function cyclic(): unknown {
  const o: Record<string, unknown> = { name: 'loop' };
  o.self = o;
  return o;
}

/** Values a structured clone carries that JSON does not (made fresh per case: some are mutable). */
const EXOTIC: ReadonlyArray<() => unknown> = [
  () => new Date(0),
  () => new Date(Number.NaN),
  () => new Map([['workspaceId', 'x']]),
  () => new Set([1, 2]),
  () => new Uint8Array([1, 2, 3]),
  () => Buffer.from('bytes'),
  () => new ArrayBuffer(8),
  () => 10n,
  cyclic,
  () => Object.assign(Object.create(null) as object, { name: 'no prototype' }),
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => -0,
  () => undefined,
  // eslint-disable-next-line no-sparse-arrays
  () => [, 1],
  () => new String('boxed'),
  () => JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  () => new Error('an error object'),
  () => /re/g,
];
const exoticArb = fc.nat(EXOTIC.length - 1).map((i) => EXOTIC[i]!());

/** An input for `channel`: valid-ish, mutated, or with an exotic value at its root or in one of its fields. */
function inputArb(channel: Channel, mode: Mode): fc.Arbitrary<{ input: unknown; notes: string[] }> {
  const base = inputObjectArb(channel, { pools: b.pools, channel });
  const json = (m: Mode) => fuzzed(base, m).map(({ value, mutations }) => ({ input: keepLocal(channel, value, b.pools.sandbox), notes: mutations.map((x) => `input ${x.op}`) }));
  const withExotic = fc.tuple(json('valid'), exoticArb, fc.nat()).map(([{ input }, exotic, at]) => {
    if (input === null || typeof input !== 'object' || at % 4 === 0) return { input: exotic, notes: ['input replaced by an exotic value'] };
    const keys = Object.keys(input);
    const key = keys.length ? keys[at % keys.length]! : 'extra';
    return { input: { ...(input as object), [key]: exotic }, notes: [`${key}: exotic value`] };
  });
  return byMode(mode, json('valid'), fc.oneof({ weight: 2, arbitrary: json('hostile') }, { weight: 1, arbitrary: withExotic }));
}

/** Callers: the desktop's local admin most often (it passes every gate), a viewer, a scoped key, the owner key; hostile, callers that hold nothing. */
function actorArb(mode: Mode): fc.Arbitrary<Actor> {
  const valid = fc.oneof(
    { weight: 4, arbitrary: fc.constant(b.admin) },
    { weight: 1, arbitrary: fc.constant(b.viewerActor) },
    { weight: 1, arbitrary: fc.constant(b.scopedActor) },
    { weight: 1, arbitrary: fc.constant<Actor>({ kind: 'apiKey', id: 'owner', name: 'owner key', origin: '127.0.0.1' }) },
  );
  const hostile = fc.oneof(
    fc.constant<Actor>({ kind: 'anonymous', id: 'anonymous', name: 'anonymous', origin: '127.0.0.1' }),
    fc.uuid().map((id): Actor => ({ kind: 'user', id, name: 'nobody', origin: '127.0.0.1' })),
    fc.uuid().map((id): Actor => ({ kind: 'apiKey', id, name: 'revoked', origin: '127.0.0.1' })),
  );
  return byMode(mode, valid, hostile);
}

function expectation(channel: Channel, input: unknown): Expectation {
  const id = input && typeof input === 'object' ? (input as { id?: unknown }).id : undefined;
  return {
    route: `dispatch ${channel}`,
    allowed: typeof id === 'string' ? b.revealable(channel, id) : [],
    schemaFor: () => z.object({ ok: z.literal(true), value: contract[channel].output as z.ZodType }),
    envelope: 'bridge',
  };
}

describe('every channel has a generator', () => {
  it('each channel input can be generated from the contract, its ids from a pool', () => {
    const missing: string[] = [];
    for (const channel of CHANNELS) {
      const props = inputSchema(channel).properties ?? {};
      for (const [field, s] of Object.entries(props)) {
        const isId = (s as { format?: string }).format === 'uuid' || field === 'id';
        if (isId && !idKindFor(channel, field) && !CLIENT_MADE_IDS.includes(field)) missing.push(`${channel}: ${field}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe(`dispatch, every channel (${RUNS} cases each, seed ${SEED})`, () => {
  for (const channel of CHANNELS) {
    const name = `dispatch ${channel}`;
    it(name, async () => {
      const arb = modesArb(['input', 'actor'] as const).chain((m) =>
        fc.record({ i: inputArb(channel, m.input), actor: actorArb(m.actor) }).map(({ i, actor }) => described({ channel, input: i.input, actor, notes: i.notes })),
      );
      await checkProperty(name, FILE, arb, async (c) => {
        await b.dispatchCase(c.channel, c.input, c.actor, expectation(channel, c.input));
      });
      await b.afterBatch(name);
    }, timeoutFor(RUNS));
  }

  it('names that are no channel', async () => {
    const channelArb = fc.oneof(
      fc.constantFrom<unknown>('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'SECRETS:LIST', 'secrets:list ', '', 42, null, undefined, {}, ['secrets:list']),
      fc.constant(null).map(() => Object.create(null) as unknown),
      hostileString,
    );
    const arb = fc.record({ channel: channelArb, input: fc.oneof(fc.jsonValue({ maxDepth: 2 }), exoticArb) }).map((c) => described({ ...c }));
    await checkProperty('names that are no channel', FILE, arb, async (c) => {
      await b.dispatchCase(c.channel, c.input, b.admin, { route: 'dispatch <not a channel>', envelope: 'bridge' });
    });
    await b.afterBatch('dispatch: no channel');
  }, timeoutFor(RUNS));
});
