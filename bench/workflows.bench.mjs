// Workflow runner benchmarks (issue #15); one JSON line per result.
//   node bench/workflows.bench.mjs
// 1. Engine overhead: a 200-step workflow of transform steps (a chain: each step adds 1 to the previous output), run
//    end to end through the real runner (queue, claim, resolution, scrubbing, step transitions written in batches: one
//    statement each, one transaction per event-loop turn; the run's end in one transaction), against calling the same step function directly in a loop with the same inputs.
//    Target: per-step overhead ≤ 0.5 ms median. The same for a chain of 200 `http` steps (the registered http kind,
//    through a real connection, against a local keep-alive server in this process); each of its steps also records
//    the connection it used and audits connection.used, which the direct loop does not. Beside it, the floor of the
//    stack: how much two direct loops of the same 200 requests differ (median |A - B| / 200), i.e. the smallest
//    per-step difference this measurement can tell from noise.
// 2. 1 000 queued runs of a 5-step workflow: all complete, never more than the configured number at once, RSS flat.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleForNode } from '../scripts/bundle-node.mjs';

const { createCore, localActor, createTransformStepKind, nameKey } = await import(await bundleForNode('bench/workflows-entry.ts', 'out/bench/workflows.mjs'));

const memoryKeyStore = () => {
  const m = new Map();
  return { kind: 'memory', get: async (a) => m.get(a) ?? null, set: async (a, v) => void m.set(a, v), delete: async (a) => m.delete(a) };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function newCore(ports = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-bench-wf-'));
  const core = createCore({ dataDir, mode: 'headless', version: 'bench', localUser: 'bench' }, { keyStore: memoryKeyStore(), ...ports });
  // initialize: the vault is set up (keychain mode, the memory key store) and unlocked, so connections can be stored.
  await core.start({ initialize: true });
  const admin = localActor(core.config);
  const ws = core.workspaces.defaultWorkspace().id;
  return { core, admin, ws, close: () => (core.close(), fs.rmSync(dataDir, { recursive: true, force: true })) };
}

/** Writes a workflow straight into the tables of migration 600 (the bench measures runs, not definitions). */
function insertWorkflow(core, ws, def) {
  const id = randomUUID();
  const now = new Date().toISOString();
  const by = JSON.stringify({ kind: 'local', id: 'local:bench', name: 'bench' });
  core.db
    .prepare(`INSERT INTO workflows (id, workspace_id, name, name_key, version, timezone, step_count, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, 1, 'UTC', ?, ?, ?, ?)`)
    .run(id, ws, def.name, nameKey(def.name), def.steps.length, now, now, by);
  core.db.prepare('INSERT INTO workflow_versions (workflow_id, version, definition, created_at, created_by) VALUES (?, 1, ?, ?, ?)').run(id, JSON.stringify(def), now, by);
  return id;
}

/** Resolves when the run ends (runs:changed pushes). */
function settled(core, runId) {
  return new Promise((resolve) => {
    const stop = core.bus.subscribe((event, p) => {
      if (event === 'runs:changed' && p.runId === runId && ['succeeded', 'failed', 'cancelled'].includes(p.status)) {
        stop();
        resolve(p.status);
      }
    });
  });
}

/**
 * Per-step engine overhead of a chain of `n` steps of `kind` (configFor(i) is step i's config), against the same
 * kind's `run` called directly with the same context values. Returns the median over `rounds` of each.
 * `setup(bench)` may prepare the core (a connection…) and return { kind, configFor } in their place; `floor` also
 * times a second direct loop per round and reports the median difference between the two as the noise floor.
 */
async function overheadBench({ label, kind: givenKind, configFor: givenConfigFor, n = 200, rounds = 15, setup, floor = false }) {
  const b = await newCore({ runner: { maxRuns: 1, maxStepsPerRun: 4 } });
  const prepared = setup ? await setup(b) : {};
  const kind = prepared.kind ?? givenKind;
  const configFor = prepared.configFor ?? givenConfigFor;
  const steps = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, kind: kind.kind, needs: i ? [`s${i - 1}`] : [], config: configFor(i) }));
  const wf = insertWorkflow(b.core, b.ws, { name: `${label} chain`, steps });

  const direct = async () => {
    const outputs = new Map();
    const controller = new AbortController();
    let prev;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const needed = i ? [{ stepId: `s${i - 1}`, output: prev }] : [];
      const ctx = { actor: b.admin, workspaceId: b.ws, runId: 'direct', stepId: `s${i}`, attempt: 1, signal: controller.signal, needed, outputs, inputs: {}, injected: () => {}, useConnection: () => {} };
      prev = (await kind.run(configFor(i), ctx)).output;
      outputs.set(`s${i}`, prev);
    }
    return performance.now() - t0;
  };
  const engine = async () => {
    const t0 = performance.now();
    const { id } = b.core.runs.start(b.admin, { workspaceId: b.ws, id: wf });
    const status = await settled(b.core, id);
    if (status !== 'succeeded') throw new Error(`${label}: run ${status}`);
    return performance.now() - t0;
  };
  await direct();
  await engine(); // warm up
  const d = [];
  const e = [];
  const noise = [];
  for (let r = 0; r < rounds; r++) {
    d.push(await direct());
    e.push(await engine());
    if (floor) noise.push(Math.abs((await direct()) - d[d.length - 1]));
  }
  const directMs = median(d);
  const engineMs = median(e);
  const perStepMs = (engineMs - directMs) / n;
  if (prepared.close) await prepared.close();
  b.close();
  console.log(JSON.stringify({ bench: `workflow-engine-overhead-${label}`, metric: 'per-step overhead', value: +perStepMs.toFixed(4), unit: ' ms', reference: +(directMs / n).toFixed(4), ratio: +(perStepMs / 0.5).toFixed(3), target: '≤ 0.5 ms', pass: perStepMs <= 0.5 }));
  if (floor) {
    const floorMs = median(noise) / n;
    console.log(JSON.stringify({ bench: `workflow-engine-overhead-${label}-floor`, metric: 'noise floor per step (two direct loops differ by)', value: +floorMs.toFixed(4), unit: ' ms', reference: +perStepMs.toFixed(4), ratio: +(perStepMs / Math.max(floorMs, 1e-6)).toFixed(2) }));
  }
  console.log(JSON.stringify({ bench: `workflow-engine-overhead-${label}-detail`, steps: n, engineRunMs: +engineMs.toFixed(2), directLoopMs: +directMs.toFixed(2) }));
}

/**
 * 200 http steps against a local server: a connection (API key, settings.baseUrl = the server) and the http kind the
 * core registered (the same module the runner calls, so the direct loop runs exactly the step function).
 */
async function httpSetup(b) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ ok: true, url: req.url });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  const connection = b.core.connections.create({ workspaceId: b.ws, name: 'bench local api', provider: 'pagerduty', authType: 'apikey', credential: 'bench-api-key-0123456789', settings: { baseUrl } }, b.admin);
  return {
    kind: b.core.runs.internal.steps.get('http'),
    configFor: (i) => ({ connectionId: connection.id, method: 'GET', path: '/items', query: { i: String(i) } }),
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

async function queuedRunsBench({ runs = 1000, maxRuns = 4 } = {}) {
  const b = await newCore({ runner: { maxRuns, maxStepsPerRun: 2 } });
  const steps = [
    { id: 'a', kind: 'transform', config: { expression: '{"n": 1}' } },
    { id: 'b', kind: 'transform', needs: ['a'], config: { expression: 'steps.a.output.n + 1' } },
    { id: 'c', kind: 'transform', needs: ['a'], config: { expression: 'steps.a.output.n + 2' } },
    { id: 'd', kind: 'transform', needs: ['b', 'c'], config: { expression: 'steps.b.output + steps.c.output' } },
    { id: 'e', kind: 'transform', needs: ['d'], config: { expression: '"total " & $string(steps.d.output)' } },
  ];
  const wf = insertWorkflow(b.core, b.ws, { name: 'five', steps });
  const running = new Set();
  let maxSeen = 0;
  let done = 0;
  const rss = [];
  let finish;
  const all = new Promise((r) => (finish = r));
  const stop = b.core.bus.subscribe((event, p) => {
    if (event !== 'runs:changed') return;
    if (p.status === 'running') {
      running.add(p.runId);
      maxSeen = Math.max(maxSeen, running.size);
    } else if (['succeeded', 'failed', 'cancelled'].includes(p.status)) {
      running.delete(p.runId);
      done++;
      if (done % 100 === 0) rss.push(process.memoryUsage().rss);
      if (done === runs) finish();
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) b.core.runs.start(b.admin, { workspaceId: b.ws, id: wf });
  await all;
  const ms = performance.now() - t0;
  await b.core.runs.internal.idle();
  stop();
  const counts = Object.fromEntries(b.core.db.prepare('SELECT status, COUNT(*) AS n FROM workflow_runs GROUP BY status').all().map((r) => [r.status, r.n]));
  const badSteps = b.core.db.prepare("SELECT COUNT(*) AS n FROM workflow_run_steps WHERE status != 'succeeded'").get().n;
  b.close();
  const early = rss[1] ?? rss[0];
  const late = rss[rss.length - 1];
  const growth = late / early;
  const lost = runs - (counts.succeeded ?? 0);
  console.log(JSON.stringify({ bench: 'workflow-1000-queued-runs', metric: 'runs lost', value: lost, reference: runs, target: '0 lost', pass: lost === 0 && badSteps === 0 }));
  console.log(JSON.stringify({ bench: 'workflow-1000-queued-runs-parallelism', metric: 'most runs at once', value: maxSeen, reference: maxRuns, target: `= ${maxRuns}`, pass: maxSeen === maxRuns }));
  console.log(JSON.stringify({ bench: 'workflow-1000-queued-runs-rss', metric: 'RSS after 1000 / after 200', value: +growth.toFixed(3), ratio: +growth.toFixed(3), target: '≤ 1.25', pass: growth <= 1.25 }));
  console.log(JSON.stringify({ bench: 'workflow-1000-queued-runs-detail', totalMs: +ms.toFixed(0), runsPerSecond: +((runs / ms) * 1000).toFixed(1), rssMiB: rss.map((x) => +(x / 1048576).toFixed(1)), statuses: counts }));
}

const transform = createTransformStepKind();
await overheadBench({ label: 'transform-200', kind: transform, configFor: (i) => ({ expression: i ? `steps.s${i - 1}.output + 1` : '1' }) });
await overheadBench({ label: 'http-200', setup: httpSetup, floor: true });
await queuedRunsBench();
