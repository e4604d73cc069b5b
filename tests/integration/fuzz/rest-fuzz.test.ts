import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES } from '@core/http/rest/routes';
import { STREAM_ROUTES } from '@core/http/stream-routes';
import type { StreamName } from '@shared/ipc/rest.contract';
import { startFuzzBench, stopFuzzBench, type FuzzBench } from './fuzz-bench';
import { RUNS, SEED, checkProperty, timeoutFor } from './fuzz-config';
import { CHANNELS } from '@shared/ipc/channels';
import { restExpectation, restGeneratorMissing, restRequestArb } from './rest-requests';
import { STREAM_GENERATORS, streamExpectation } from './stream-requests';
import { bridgeExpectation, bridgeRequestArb, strayRequestArb } from './bridge-requests';

/**
 * Property-based fuzzing of the HTTP server (issue 14): every REST route and streaming route, the console bridge
 * for every channel, and stray paths, each a property of FUZZ_RUNS generated requests (random and hostile path
 * parameters, queries, bodies derived from the contract's schemas, headers and credentials of every strength).
 * The invariants are checked on every answer by the bench (fuzz-bench.ts); after each route, /health must answer
 * within 1 s and the vault must still lock, unlock and open. Routes and channels are read from the tables, so a new
 * one is fuzzed without editing this file, and the first test fails when one has no generator.
 */
const FILE = 'tests/integration/fuzz/rest-fuzz.test.ts';

let b: FuzzBench;
beforeAll(async () => {
  b = await startFuzzBench();
});
afterAll(() => stopFuzzBench(b));

describe('every route has a generator', () => {
  it('each REST route can be filled from the contract, and each streaming route has its own generator', () => {
    expect(REST_ROUTES.map(restGeneratorMissing).filter(Boolean)).toEqual([]);
    expect(Object.keys(STREAM_GENERATORS).sort()).toEqual(Object.keys(STREAM_ROUTES).sort());
  });
});

describe(`REST routes (${RUNS} cases each, seed ${SEED})`, () => {
  for (const route of REST_ROUTES) {
    const name = `${route.method} ${route.path}`;
    it(name, async () => {
      await checkProperty(name, FILE, restRequestArb(route, b), async (req) => {
        await b.exercise(req, restExpectation(route, b, req), route.channel);
      });
      await b.afterBatch(name);
    }, timeoutFor(RUNS));
  }
});

describe(`REST routes while the vault is locked (${RUNS} cases each, seed ${SEED})`, () => {
  // Every route must refuse or answer without the vault's keys (423 where it needs them), never fail on them.
  for (const route of REST_ROUTES) {
    const name = `${route.method} ${route.path} (vault locked)`;
    it(name, async () => {
      b.core.vault.lock(b.admin);
      try {
        await checkProperty(name, FILE, restRequestArb(route, b), async (req) => {
          await b.exercise(req, restExpectation(route, b, req), route.channel);
        });
      } finally {
        await b.afterBatch(name);
      }
    }, timeoutFor(RUNS));
  }
});

describe(`streaming routes (${RUNS} cases each, seed ${SEED})`, () => {
  for (const [stream, route] of Object.entries(STREAM_ROUTES) as Array<[StreamName, (typeof STREAM_ROUTES)[StreamName]]>) {
    const name = `${route.method} ${route.path}`;
    it(name, async () => {
      await checkProperty(name, FILE, STREAM_GENERATORS[stream](b), async (req) => {
        await b.exercise(req, streamExpectation(stream, req));
      });
      await b.afterBatch(name);
    }, timeoutFor(RUNS));
  }
});

describe(`the console bridge POST /ipc/:channel (${RUNS} cases each, seed ${SEED})`, () => {
  for (const channel of CHANNELS) {
    const name = `ipc ${channel}`;
    it(name, async () => {
      await checkProperty(name, FILE, bridgeRequestArb(b, channel), async (req) => {
        await b.exercise(req, bridgeExpectation(b, channel, req), channel);
      });
      await b.afterBatch(name);
    }, timeoutFor(RUNS));
  }

  it('names that are no channel', async () => {
    await checkProperty('names that are no channel', FILE, bridgeRequestArb(b, null), async (req) => {
      await b.exercise(req, bridgeExpectation(b, null, req));
    });
    await b.afterBatch('bridge: no channel');
  }, timeoutFor(RUNS));
});

describe(`stray requests (${RUNS * 10} cases, seed ${SEED})`, () => {
  it('any method on any path', async () => {
    await checkProperty('any method on any path', FILE, strayRequestArb(b), async (req) => {
      await b.exercise(req, { route: req.route, envelope: 'none' });
    }, RUNS * 10);
    await b.afterBatch('stray requests');
  }, timeoutFor(RUNS * 10));
});
