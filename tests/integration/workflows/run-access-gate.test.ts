import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation } from '@shared/access/policy';
import type { Actor } from '@shared/domain/actor';
import { expectedAllowed, outcome, principals } from '../connections/access-gate-harness';
import { makeReadyCore } from '../../helpers/test-core';
import { fakeKind, fakeStep, insertRun, insertWorkflow, settled } from './run-fixture';

/**
 * The run service checks its callers itself: every user-facing method, called as principals with different grants
 * (viewer, editor, no role here, API keys without a workflows scope), is refused exactly where POLICY refuses and then
 * changes nothing; every other member is in `internal` with a reason. A run then acts as whoever started it: its
 * steps pass the same gates again with that actor (secret.use, connection.use, the datastore object operations).
 */

let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let actors: ReturnType<typeof principals>;
beforeAll(async () => {
  t = await makeReadyCore();
  await t.core.start();
  ws = t.core.workspaces.defaultWorkspace().id;
  const other = t.core.workspaces.create('Elsewhere', t.admin).id;
  actors = principals(t.core, ws, other);
  t.core.runs.internal.steps.replace(fakeKind(() => 1));
});
afterAll(() => t.close());

const workflow = () => insertWorkflow(t.core, ws, { name: `wf-${Math.random().toString(36).slice(2)}`, steps: [fakeStep('a')] });
const snapshot = () =>
  JSON.stringify([
    t.core.db.prepare('SELECT id, status FROM workflow_runs ORDER BY id').all(),
    t.core.db.prepare('SELECT run_id, step_id, status FROM workflow_run_steps ORDER BY run_id, step_id').all(),
  ]);

type Row = { ops: readonly Operation[]; setup: () => string; call: (a: Actor, id: string) => unknown };
const CHECKED: Record<string, Row> = {
  start: { ops: ['workflow.run'], setup: workflow, call: (a, id) => t.core.runs.start(a, { workspaceId: ws, id }) },
  list: { ops: ['workflow.list'], setup: () => '', call: (a) => t.core.runs.list(a, { workspaceId: ws }) },
  get: { ops: ['workflow.list'], setup: () => insertRun(t.core, ws, workflow(), 'failed'), call: (a, id) => t.core.runs.get(a, ws, id) },
  cancel: { ops: ['workflow.run'], setup: () => insertRun(t.core, ws, workflow(), 'running'), call: (a, id) => t.core.runs.cancel(a, ws, id) },
  replay: { ops: ['workflow.run'], setup: () => insertRun(t.core, ws, workflow(), 'failed'), call: (a, id) => t.core.runs.replay(a, { workspaceId: ws, id }) },
};
const INTERNAL: Record<string, string> = {
  scheduleJob: 'the scheduler queues due slots as the workflow’s last editor',
  recoverInterrupted: 'start-up and the scheduler mark runs of dead processes interrupted',
  resume: 'start-up starts executing queued runs',
  close: 'shutdown stops the runner',
  idle: 'tests and benchmarks wait for the runner',
  steps: 'the step-kind registry, wired at start-up',
};

describe('run service access gate', () => {
  it('every member is checked or internal with a reason', () => {
    const top = Object.keys(t.core.runs).filter((k) => k !== 'internal');
    expect(top.sort()).toEqual(Object.keys(CHECKED).sort());
    expect(Object.keys(t.core.runs.internal).sort()).toEqual(Object.keys(INTERNAL).sort());
  });

  for (const [name, row] of Object.entries(CHECKED)) {
    it(`${name}: refused exactly where POLICY refuses (${row.ops.join(', ')}), changing nothing`, async () => {
      for (const p of actors) {
        const id = row.setup();
        const before = snapshot();
        const result = await outcome(() => row.call(p.actor, id));
        if (expectedAllowed(p.grant, row.ops)) expect((result as { code?: string }).code, p.label).not.toBe('FORBIDDEN');
        else {
          expect(result, p.label).toMatchObject({ code: 'FORBIDDEN' });
          expect(snapshot(), `${p.label} changed something`).toBe(before);
        }
        await t.core.runs.internal.idle();
      }
    });
  }

  it('a run acts as its starter: an editor’s run may use secrets; a workflows:write key without secrets:read may not', async () => {
    const editor = actors.find((a) => a.label === 'editor')!.actor;
    const secret = t.core.secrets.create({ workspaceId: ws, name: `s-${Math.random()}`, value: 'injected' }, t.admin);
    t.core.access.registerResolver('apiKey', (a, w) => (a.id === 'runner-key' && w === ws ? { scopes: ['workflows:write'] } : null));
    const key: Actor = { kind: 'apiKey', id: 'runner-key', name: 'runner key', origin: '127.0.0.1' };
    t.core.runs.internal.steps.replace(fakeKind((c) => ({ len: String(c.token).length })));
    const id = insertWorkflow(t.core, ws, { name: `uses-secret-${Math.random()}`, steps: [fakeStep('a', [], { token: { $secret: secret.id } })] });
    const byEditor = await settled(t.core, ws, t.core.runs.start(editor, { workspaceId: ws, id }).id);
    expect(byEditor.steps[0]).toMatchObject({ status: 'succeeded', output: { len: 8 } });
    const byKey = await settled(t.core, ws, t.core.runs.start(key, { workspaceId: ws, id }).id);
    expect(byKey.steps[0]).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } });
    expect(byKey.startedBy).toEqual({ kind: 'apiKey', id: 'runner-key', name: 'runner key' });
  });
});
