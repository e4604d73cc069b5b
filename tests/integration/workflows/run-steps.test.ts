import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';
import type { WorkflowDefinition } from '@shared/domain/workflow';
import { makeReadyCore, unwrap } from '../../helpers/test-core';
import { fakeKind, fakeStep, insertWorkflow, settled } from './run-fixture';

type T = Awaited<ReturnType<typeof makeReadyCore>>;
let t: T;
afterEach(() => t?.close());

async function setup(ports: Parameters<typeof makeReadyCore>[0] = {}) {
  t = await makeReadyCore(ports);
  await t.core.start();
  const ws = t.core.workspaces.defaultWorkspace().id;
  const ds = (await t.core.datastores.create(t.admin, { workspaceId: ws, name: `files-${Math.random().toString(36).slice(2, 8)}` })).id;
  return { ws, ds };
}

async function runOf(ws: string, def: WorkflowDefinition, inputs?: Record<string, string | number>) {
  const id = insertWorkflow(t.core, ws, def);
  return settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id, inputs })).id);
}

describe('storage and transform steps, templates, context.fileContent', () => {
  it('get → transform (JSONata over context.fileContent) → put, against a real filesystem datastore', async () => {
    const { ws, ds } = await setup();
    await t.core.datastores.putText(t.admin, { workspaceId: ws, datastoreId: ds, key: 'in/people.csv', content: 'name,age\nada,36\nalan,41\n', contentType: 'text/csv' });
    const ok = await runOf(ws, {
      name: 'csv2',
      inputs: { out: 'out/summary.json', region: 'eu' },
      steps: [
        { id: 'read', kind: 'storage', config: { action: 'get', datastoreId: ds, key: 'in/people.csv' } },
        {
          id: 'shape',
          kind: 'transform',
          needs: ['read'],
          config: { expression: '{"lines": $count($split(context.fileContent, "\\n")[$length($) > 0]) - 1, "type": steps.read.output.contentType, "region": inputs.region}' },
        },
        { id: 'write', kind: 'storage', needs: ['shape'], config: { action: 'put', datastoreId: ds, key: '{{ inputs.out }}' } },
        { id: 'text', kind: 'storage', needs: ['shape'], config: { action: 'put', datastoreId: ds, key: 'out/lines-{{ steps.shape.output.lines }}.txt', content: 'lines: {{ steps.shape.output.lines }}' } },
      ],
    });
    expect(ok.status).toBe('succeeded');
    const step = (id: string) => ok.steps.find((s) => s.stepId === id)!;
    expect(step('read').output).toMatchObject({ fileContent: 'name,age\nada,36\nalan,41\n', contentType: 'text/csv', encoding: 'utf8', size: 24 });
    expect(step('shape').output).toEqual({ lines: 2, type: 'text/csv', region: 'eu' });
    expect(step('write').output).toMatchObject({ key: 'out/summary.json', contentType: 'application/json' });
    const read = async (key: string) => {
      const { stream } = await t.core.datastores.read(t.admin, ws, ds, key);
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    };
    expect(JSON.parse(await read('out/summary.json'))).toEqual({ lines: 2, type: 'text/csv', region: 'eu' });
    expect(await read('out/lines-2.txt')).toBe('lines: 2');
  });

  it('binary objects are handed on as base64; keys match exactly; a too-large object points at streaming', async () => {
    const { ws, ds } = await setup();
    const bytes = Buffer.from([0, 255, 1, 254, 0x80, 0x81]);
    await t.core.datastores.putStream(t.admin, ws, ds, 'bin/blob.bin', Readable.from([bytes]), { contentType: 'application/octet-stream' });
    const r = await runOf(ws, { name: 'bin', steps: [{ id: 'g', kind: 'storage', config: { action: 'get', datastoreId: ds, key: 'bin/blob.bin' } }] });
    expect(r.steps[0]!.output).toEqual({ fileContent: bytes.toString('base64'), contentType: 'application/octet-stream', size: 6, encoding: 'base64' });
    const wrongCase = await runOf(ws, { name: 'case', steps: [{ id: 'g', kind: 'storage', config: { action: 'get', datastoreId: ds, key: 'BIN/blob.bin' } }] });
    expect(wrongCase.steps[0]!.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(wrongCase.steps[0]!.error!.message).toContain('keys must match exactly');
    t.close();

    // A small cap, to show the message without writing 10 MiB.
    t = await makeReadyCore();
    await t.core.start();
    const { createStorageStepKind } = await import('@core/workflows/steps/storage-step');
    t.core.runs.internal.steps.replace(createStorageStepKind({ objects: t.core.datastores, maxBytes: 4 }));
    const ws2 = t.core.workspaces.defaultWorkspace().id;
    const ds2 = (await t.core.datastores.create(t.admin, { workspaceId: ws2, name: 'big' })).id;
    await t.core.datastores.putText(t.admin, { workspaceId: ws2, datastoreId: ds2, key: 'big.txt', content: 'more than four bytes' });
    const big = await runOf(ws2, { name: 'big', steps: [{ id: 'g', kind: 'storage', config: { action: 'get', datastoreId: ds2, key: 'big.txt' } }] });
    expect(big.steps[0]!.error).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'object is larger than 0 MiB, too large to pass to the next step as context.fileContent; stream it instead (GET /datastores/{id}/objects/{key})',
    });
  });

  it('a secret id that does not exist (or is another workspace’s) fails the step with the docs’ message', async () => {
    const { ws } = await setup();
    const other = t.core.workspaces.create('Other', t.admin).id;
    const foreign = t.core.secrets.create({ workspaceId: other, name: 'theirs', value: 'their-value' }, t.admin);
    t.core.runs.internal.steps.replace(fakeKind((c) => ({ got: c.token === undefined ? 'none' : 'some' })));
    const missing = '3f0c8a9e-1111-4222-8333-444455556666';
    for (const [i, id] of [missing, foreign.id, foreign.id.toUpperCase()].entries()) {
      const r = await runOf(ws, { name: `s-${i}`, steps: [fakeStep('a', [], { token: { $secret: id } })] });
      expect(r.status).toBe('failed');
      expect(r.steps[0]!.error).toEqual({ code: 'NOT_FOUND', message: RUN_MESSAGES.secretNotFound(id) });
      expect(r.error).toEqual({ code: 'NOT_FOUND', message: `secret ${id} not found — secret ids are case-sensitive UUIDs`, stepId: 'a' });
    }
  });

  // The docs' troubleshooting (datastores): another workspace's datastore is a 403 (the object service's own answer),
  // and nothing of it reaches the run.
  it('another workspace’s datastore id is refused; a template to a step that is not needed is refused', async () => {
    const { ws } = await setup();
    const other = t.core.workspaces.create('Other', t.admin).id;
    const theirs = (await t.core.datastores.create(t.admin, { workspaceId: other, name: 'theirs' })).id;
    await t.core.datastores.putText(t.admin, { workspaceId: other, datastoreId: theirs, key: 'x.txt', content: 'private' });
    const r = await runOf(ws, { name: 'foreign', steps: [{ id: 'g', kind: 'storage', config: { action: 'get', datastoreId: theirs, key: 'x.txt' } }] });
    expect(r.steps[0]!.error).toMatchObject({ code: 'FORBIDDEN', message: 'this datastore belongs to another workspace; check the datastore id and x-workspace-id' });
    expect(JSON.stringify(r)).not.toContain('private');
    const bad = await runOf(ws, {
      name: 'nothere',
      steps: [
        { id: 'a', kind: 'transform', config: { expression: '1' } },
        { id: 'b', kind: 'transform', config: { expression: '2' } },
        { id: 'c', kind: 'storage', needs: ['a'], config: { action: 'put', datastoreId: theirs, key: '{{ steps.b.output }}' } },
      ],
    });
    expect(bad.steps.find((s) => s.stepId === 'c')!.error).toEqual({
      code: 'INVALID_INPUT',
      message: 'template {{ steps.b.output }}: step "b" is not a step this one needs (add it to needs)',
    });
  });

  it('transform errors and runaway expressions fail the step with a plain message', async () => {
    const { ws } = await setup();
    const { createTransformStepKind } = await import('@core/workflows/steps/transform-step');
    t.core.runs.internal.steps.replace(createTransformStepKind({ guard: { timeoutMs: 200 } }));
    const r = await runOf(ws, {
      name: 'bad-jsonata',
      steps: [
        { id: 'syntax', kind: 'transform', config: { expression: '{{{' } },
        { id: 'loop', kind: 'transform', config: { expression: '($f := function($x){ $f($x + 1) }; $f(1))' } },
      ],
    });
    expect(r.steps.find((s) => s.stepId === 'syntax')!.error!.code).toBe('INVALID_INPUT');
    expect(r.steps.find((s) => s.stepId === 'loop')!.error!.code).toBe('TRANSFORM_LIMIT');
  });

  it('useConnection records the connection on the run step and audits connection.used; another workspace’s is "connection not found"', async () => {
    const { ws } = await setup();
    const other = t.core.workspaces.create('Other', t.admin).id;
    const mk = (workspaceId: string, name: string) =>
      t.core.connections.create({ workspaceId, name, provider: 'pagerduty', authType: 'apikey', credential: 'pd-key-123456', settings: {} } as never, t.admin);
    const mine = mk(ws, 'PD');
    const theirs = mk(other, 'PD theirs');
    t.core.runs.internal.steps.replace(
      fakeKind((c, ctx) => {
        ctx.useConnection(c.connectionId as string);
        return { used: true };
      }),
    );
    const ok = await runOf(ws, { name: 'conn', steps: [fakeStep('call', [], { connectionId: mine.id })] });
    expect(ok.steps[0]).toMatchObject({ status: 'succeeded', connectionId: mine.id });
    const used = t.core.audit.list({ workspaceId: ws, action: 'connection.used' }, t.admin).items;
    expect(used).toHaveLength(1);
    expect(used[0]).toMatchObject({ target: { type: 'connection', id: mine.id }, details: { workflowId: ok.workflowId, runId: ok.id, stepId: 'call' } });
    const bad = await runOf(ws, { name: 'conn2', steps: [fakeStep('call', [], { connectionId: theirs.id })] });
    expect(bad.steps[0]).toMatchObject({ status: 'failed', connectionId: null, error: { code: 'NOT_FOUND', message: RUN_MESSAGES.connectionNotFound } });

    // A kind that names its connection in references() is checked before it runs, even if it never calls useConnection;
    // a paused connection fails the step with the docs' message and the kind is not called (nothing is sent).
    let called = 0;
    t.core.runs.internal.steps.replace({
      kind: 'http',
      references: (c: Record<string, unknown>) => ({ connections: [c.connectionId as string] }),
      run: async (_c, ctx) => {
        called++;
        ctx.useConnection(mine.id); // a second call for the same connection records nothing more
        return { output: 'sent' };
      },
    });
    const auto = await runOf(ws, { name: 'conn3', steps: [fakeStep('call', [], { connectionId: mine.id })] });
    expect(auto.steps[0]).toMatchObject({ status: 'succeeded', connectionId: mine.id });
    expect(t.core.audit.list({ workspaceId: ws, action: 'connection.used' }, t.admin).items).toHaveLength(2);
    t.core.connections.update({ workspaceId: ws, id: mine.id, status: 'paused' } as never, t.admin);
    const paused = await runOf(ws, { name: 'conn4', steps: [fakeStep('call', [], { connectionId: mine.id })] });
    expect(paused.steps[0]).toMatchObject({ status: 'failed', connectionId: mine.id, error: { code: 'PRECONDITION_FAILED' } });
    expect(paused.steps[0]!.error!.message.startsWith(RUN_MESSAGES.connectionPaused)).toBe(true);
    expect(called).toBe(1);
    expect(t.core.audit.list({ workspaceId: ws, action: 'connection.used' }, t.admin).items).toHaveLength(2);
  });
});
