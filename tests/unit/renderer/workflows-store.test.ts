import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Api } from '@shared/ipc/api';
import type { PushPayloads } from '@shared/ipc/channels';
import type { Run, RunSummary, Workflow } from '@shared/domain/workflow';
import { WorkflowDefinitionSchema } from '@shared/domain/workflow';
import { applyRunChange, coalesced, createRunsStore } from '../../../renderer/src/features/workflows/runs-store';
import { createWorkflowsStore, starterDefinition } from '../../../renderer/src/features/workflows/workflows-store';
import { dagInput } from '../../../renderer/src/features/workflows/dag-input';
import { layoutDag } from '../../../renderer/src/features/workflows/dag-layout';
import {
  findReferences,
  missingReferenceIssues,
  referenceSnippet,
  replaceId,
  unknownIds,
  type RefOptions,
} from '../../../renderer/src/features/workflows/workflow-references';
import { parseWorkflowReferrer } from '../../../renderer/src/features/workflows/cross-links';
import { exportFileName, exportText } from '../../../renderer/src/features/workflows/workflow-file';

const WS = '11111111-1111-4111-8111-111111111111';
const WF = '22222222-2222-4222-8222-222222222222';
const DS = '33333333-3333-4333-8333-333333333333';
const CONN = '44444444-4444-4444-8444-444444444444';
const PLACEHOLDER_DS = '00000000-0000-4000-8000-000000000001';
const PLACEHOLDER_CONN = '00000000-0000-4000-8000-000000000002';
const EXAMPLE = fs.readFileSync('examples/csv-to-provider.workflow.json', 'utf8');
const actor = { kind: 'user' as const, id: 'u1', name: 'ada' };

const summary = (id: string, status: RunSummary['status'], workflowId = WF): RunSummary => ({
  id,
  workflowId,
  workspaceId: WS,
  version: 1,
  status,
  trigger: 'manual',
  replayOf: null,
  startedBy: actor,
  queuedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  endedAt: null,
  durationMs: null,
  error: null,
});
const runId = (i: number) => `55555555-5555-4555-8555-${String(i).padStart(12, '0')}`;

type Listener = (p: unknown) => void;
/** A fake Api: answers from `handlers`, records calls, and lets the test push events. */
function fakeApi(handlers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const calls: Array<{ channel: string; input: Record<string, unknown> }> = [];
  const listeners = new Map<string, Set<Listener>>();
  const api: Api = {
    on: ((event: string, l: Listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(l);
      listeners.set(event, set);
      return () => set.delete(l);
    }) as Api['on'],
    invoke: (async (channel: string, input: Record<string, unknown>) => {
      calls.push({ channel, input });
      const h = handlers[channel];
      if (!h) return { ok: false, error: { code: 'UNAVAILABLE', message: 'not in this test' } };
      return h(input);
    }) as Api['invoke'],
  };
  const push = <E extends keyof PushPayloads>(event: E, payload: PushPayloads[E]) => listeners.get(event)?.forEach((l) => l(payload));
  return { api, calls, push };
}
const settled = () => new Promise((r) => setTimeout(r, 0));

describe('run live updates', () => {
  it('a push changes the listed run’s status at once; an unknown run is reported missing; another workflow’s is ignored', () => {
    const items = [summary(runId(1), 'running'), summary(runId(2), 'succeeded')];
    const changed = applyRunChange(items, { workspaceId: WS, workflowId: WF, runId: runId(1), status: 'failed' }, WF);
    expect(changed.items.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    expect(changed.missing).toBe(false);
    expect(items[0]!.status).toBe('running'); // not mutated
    expect(applyRunChange(items, { workspaceId: WS, workflowId: WF, runId: runId(9), status: 'queued' }, WF).missing).toBe(true);
    expect(applyRunChange(items, { workspaceId: WS, workflowId: CONN, runId: runId(9), status: 'queued' }, WF).missing).toBe(false);
    // A status the renderer does not know keeps the old one rather than showing garbage.
    expect(applyRunChange(items, { workspaceId: WS, workflowId: WF, runId: runId(1), status: 'exploded' }, WF).items[0]!.status).toBe('running');
  });

  it('coalesced refreshes: pushes during a refresh cause exactly one more, never a pile', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const refresh = coalesced(async () => {
      runs += 1;
      await new Promise<void>((r) => (release = r));
    });
    const first = refresh();
    void refresh();
    void refresh();
    void refresh();
    expect(runs).toBe(1);
    release();
    await settled();
    expect(runs).toBe(2);
    release();
    await first;
    expect(runs).toBe(2);
  });

  it('the open run is re-read on its pushes, the list takes statuses from pushes and reloads for a new run', async () => {
    const listed = [summary(runId(1), 'running')];
    const run = (status: Run['status']): Run => ({ ...summary(runId(1), status), inputs: {}, steps: [] });
    let status: Run['status'] = 'running';
    const { api, calls, push } = fakeApi({
      'runs:list': () => ({ ok: true, value: { items: listed, nextCursor: null } }),
      'runs:get': () => ({ ok: true, value: run(status) }),
    });
    const store = createRunsStore(api);
    await store.getState().load(WS, WF);
    const off = store.getState().listen(WS);
    await store.getState().open(runId(1));
    expect(store.getState().run?.status).toBe('running');

    status = 'succeeded';
    push('runs:changed', { workspaceId: WS, workflowId: WF, runId: runId(1), status: 'succeeded' });
    expect(store.getState().items[0]!.status).toBe('succeeded');
    await settled();
    expect(store.getState().run?.status).toBe('succeeded');

    const before = calls.filter((c) => c.channel === 'runs:list').length;
    push('runs:changed', { workspaceId: WS, workflowId: WF, runId: runId(2), status: 'queued' });
    await settled();
    expect(calls.filter((c) => c.channel === 'runs:list').length).toBe(before + 1);

    // Another workspace's pushes are not ours.
    const gets = calls.filter((c) => c.channel === 'runs:get').length;
    push('runs:changed', { workspaceId: CONN, workflowId: WF, runId: runId(1), status: 'failed' });
    await settled();
    expect(calls.filter((c) => c.channel === 'runs:get').length).toBe(gets);
    off();
  });
});

describe('DAG preview input and layout', () => {
  const def = {
    steps: [
      { id: 'a', kind: 'storage' },
      { id: 'b', kind: 'transform', needs: ['a'] },
      { id: 'c', kind: 'http', needs: ['a', 'b', 'ghost'] },
      { id: 'a', kind: 'http' },
      { kind: 'http' },
    ],
  };
  it('a node per step id (first wins), an edge per need that names a step; statuses attached', () => {
    const input = dagInput(def, { b: 'failed' });
    expect(input.nodes.map((n) => [n.id, n.kind, n.status])).toEqual([
      ['a', 'storage', undefined],
      ['b', 'transform', 'failed'],
      ['c', 'http', undefined],
    ]);
    expect(input.edges).toEqual([
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'c' },
    ]);
    expect(dagInput('not a definition')).toEqual({ nodes: [], edges: [] });
  });
  it('dagre places each step below the steps it needs', () => {
    const layout = layoutDag(dagInput(def));
    const y = Object.fromEntries(layout.nodes.map((n) => [n.id, n.y]));
    expect(y.b!).toBeGreaterThan(y.a!);
    expect(y.c!).toBeGreaterThan(y.b!);
    expect(layout.edges).toHaveLength(3);
    expect(layout.width).toBeGreaterThan(0);
  });
});

describe('references in a definition', () => {
  const options: RefOptions = { connection: [{ id: CONN, name: 'Datadog' }], secret: [], datastore: [{ id: DS, name: 'Reports' }] };
  it('the example is a valid definition whose placeholder ids are flagged until picked', () => {
    const def: unknown = JSON.parse(EXAMPLE);
    expect(WorkflowDefinitionSchema.safeParse(def).success).toBe(true);
    const uses = findReferences(def);
    expect(uses.map((u) => [u.kind, u.stepId, u.field])).toEqual([
      ['datastore', 'read', 'steps[0].config.datastoreId'],
      ['connection', 'post', 'steps[2].config.connectionId'],
      ['datastore', 'write', 'steps[3].config.datastoreId'],
    ]);
    expect(missingReferenceIssues(uses, options).map((i) => i.message)).toEqual([
      `no datastore with id ${PLACEHOLDER_DS} in this workspace`,
      `no connection with id ${PLACEHOLDER_CONN} in this workspace`,
      `no datastore with id ${PLACEHOLDER_DS} in this workspace`,
    ]);
    expect(unknownIds(uses, options, 'datastore')).toEqual([{ id: PLACEHOLDER_DS, stepIds: ['read', 'write'] }]);

    const picked = replaceId(replaceId(EXAMPLE, PLACEHOLDER_DS, DS), PLACEHOLDER_CONN, CONN);
    expect(missingReferenceIssues(findReferences(JSON.parse(picked)), options)).toEqual([]);
  });
  it('secret references anywhere in a config; snippets for the cursor', () => {
    const def = { steps: [{ id: 's', kind: 'http', config: { connectionId: CONN, headers: { 'x-key': { $secret: 'abc' } }, body: { deep: [{ $secret: 'def' }] } } }] };
    expect(findReferences(def).filter((u) => u.kind === 'secret').map((u) => [u.id, u.field])).toEqual([
      ['abc', 'steps[0].config.headers.x-key.$secret'],
      ['def', 'steps[0].config.body.deep[0].$secret'],
    ]);
    expect(referenceSnippet('secret', 'abc', false)).toBe('{ "$secret": "abc" }');
    expect(referenceSnippet('connection', CONN, false)).toBe(`"${CONN}"`);
    expect(referenceSnippet('datastore', DS, true)).toBe(DS);
  });
  it('replaceId changes whole quoted ids only', () => {
    expect(replaceId(`{"a": "${PLACEHOLDER_DS}", "b": "x${PLACEHOLDER_DS}"}`, PLACEHOLDER_DS, DS)).toBe(`{"a": "${DS}", "b": "x${PLACEHOLDER_DS}"}`);
  });
  it('a workflow referrer names the workflow and maybe its step', () => {
    expect(parseWorkflowReferrer(WF, 'CSV to provider › read, write')).toEqual({ workflowId: WF, name: 'CSV to provider', stepIds: ['read', 'write'] });
    expect(parseWorkflowReferrer(WF, 'plain name')).toEqual({ workflowId: WF, name: 'plain name', stepIds: [] });
    expect(parseWorkflowReferrer(WF)).toEqual({ workflowId: WF, name: WF, stepIds: [] });
    expect(parseWorkflowReferrer(`${WF}#post`, 'W')).toEqual({ workflowId: WF, name: 'W', stepIds: ['post'] });
  });
  it('export file names and text', () => {
    expect(exportFileName('CSV to provider')).toBe('CSV to provider.workflow.json');
    expect(exportFileName('a/b:c\u0001')).toBe('a-b-c-.workflow.json');
    expect(exportText('{"a":1}')).toBe('{\n  "a": 1\n}\n');
    expect(exportText('{broken')).toBe('{broken');
  });
});

describe('workflows store: editor draft, validation, save', () => {
  const workflow = (version: number, def: unknown = JSON.parse(EXAMPLE)): Workflow => ({
    id: WF,
    workspaceId: WS,
    name: 'CSV to provider',
    description: '',
    version,
    schedule: null,
    timezone: 'UTC',
    nextRunAt: null,
    stepCount: 4,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: actor,
    lastRun: null,
    definition: def as Workflow['definition'],
    references: [],
  });
  const handlers = (overrides: Record<string, (input: Record<string, unknown>) => unknown> = {}) => ({
    'workflows:list': () => ({ ok: true, value: { items: [], nextCursor: null } }),
    'workflows:versions': () => ({ ok: true, value: { items: [] } }),
    'connections:list': () => ({ ok: true, value: { items: [{ id: CONN, name: 'Datadog', provider: 'datadog', status: 'active' }], nextCursor: null } }),
    'secrets:list': () => ({ ok: true, value: { items: [], nextCursor: null } }),
    'datastores:list': () => ({ ok: true, value: { items: [{ id: DS, name: 'Reports', backend: { type: 'filesystem' } }], nextCursor: null } }),
    ...overrides,
  });

  it('an imported file is unsaved, its placeholders flagged; picking them clears the flags; save creates it', async () => {
    const { api, calls } = fakeApi(handlers({ 'workflows:create': (i) => ({ ok: true, value: workflow(1, i.definition) }) }));
    const store = createWorkflowsStore(api);
    await store.getState().load(WS);
    await store.getState().loadOptions();
    store.getState().openUnsaved(EXAMPLE);
    expect(store.getState().draft).toMatchObject({ workflowId: null, dirty: true });
    expect(store.getState().issues.map((i) => i.field)).toEqual(['steps[0].config.datastoreId', 'steps[2].config.connectionId', 'steps[3].config.datastoreId']);

    store.getState().setText(replaceId(replaceId(EXAMPLE, PLACEHOLDER_DS, DS), PLACEHOLDER_CONN, CONN));
    await store.getState().validate(); // the core is not in this test: the local check stands
    expect(store.getState().issues).toEqual([]);

    expect(await store.getState().save()).toBeNull();
    const created = calls.find((c) => c.channel === 'workflows:create')!;
    expect(created.input.workspaceId).toBe(WS);
    expect(JSON.stringify(created.input.definition)).toContain(DS);
    expect(store.getState().draft).toMatchObject({ workflowId: WF, baseVersion: 1, dirty: false });
  });

  it('the server’s issues win over the local check for the same field; a broken file is one issue', async () => {
    const { api } = fakeApi(
      handlers({ 'workflows:validate': () => ({ ok: true, value: { valid: false, issues: [{ field: 'steps[0].config.datastoreId', message: 'the core says so' }, { field: 'schedule', message: 'bad cron' }] } }) }),
    );
    const store = createWorkflowsStore(api);
    await store.getState().load(WS);
    await store.getState().loadOptions();
    store.getState().openUnsaved(EXAMPLE);
    await store.getState().validate();
    expect(store.getState().issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      'steps[0].config.datastoreId: the core says so',
      'schedule: bad cron',
      `steps[2].config.connectionId: no connection with id ${PLACEHOLDER_CONN} in this workspace`,
      `steps[3].config.datastoreId: no datastore with id ${PLACEHOLDER_DS} in this workspace`,
    ]);
    store.getState().setText('{ "name": ');
    await store.getState().validate();
    expect(store.getState().issues).toHaveLength(1);
    expect(store.getState().issues[0]!.message).toMatch(/^not valid JSON/);
  });

  it('save sends expectedVersion; CONFLICT marks the conflict; an old version is read-only', async () => {
    let current = 2;
    const { api, calls } = fakeApi(
      handlers({
        'workflows:get': (i) => ({ ok: true, value: workflow(typeof i.version === 'number' ? i.version : current) }),
        'workflows:versions': () => ({ ok: true, value: { items: [2, 1].map((v) => ({ version: v, createdAt: '2026-01-01T00:00:00.000Z', createdBy: actor })) } }),
        'workflows:update': () => ({ ok: false, error: { code: 'CONFLICT', message: 'version 3 is current' } }),
      }),
    );
    const store = createWorkflowsStore(api);
    await store.getState().load(WS);
    await store.getState().select(WF);
    expect(store.getState().versions.map((v) => v.version)).toEqual([2, 1]);
    store.getState().setText(store.getState().draft!.text.replace('CSV to provider', 'CSV to provider 2'));
    current = 3;
    expect((await store.getState().save())?.code).toBe('CONFLICT');
    expect(calls.find((c) => c.channel === 'workflows:update')!.input.expectedVersion).toBe(2);
    expect(store.getState().conflict).toBe(true);

    await store.getState().viewVersion(1);
    expect(store.getState().draft).toMatchObject({ viewingVersion: 1, dirty: false });
    const before = store.getState().draft!.text;
    store.getState().setText('{}');
    expect(store.getState().draft!.text).toBe(before);
    expect(await store.getState().save()).toBeNull();
    expect(calls.filter((c) => c.channel === 'workflows:update')).toHaveLength(1);
  });

  it('a save elsewhere refreshes the open, unchanged workflow in place; edits in progress are left alone', async () => {
    let current = 1;
    const { api, push } = fakeApi(
      handlers({
        'workflows:get': () => ({ ok: true, value: { ...workflow(current), description: `v${current}` } }),
      }),
    );
    const store = createWorkflowsStore(api);
    await store.getState().load(WS);
    const off = store.getState().listen(WS);
    await store.getState().select(WF);
    const drafts: unknown[] = [];
    const unsub = store.subscribe((st) => drafts.push(st.draft));
    current = 2;
    push('workflows:changed', { workspaceId: WS, id: WF });
    await settled();
    expect(store.getState().draft).toMatchObject({ baseVersion: 2, dirty: false });
    expect(drafts.every((d) => d !== undefined)).toBe(true); // never cleared: no flash of the list
    store.getState().setText(store.getState().draft!.text + ' ');
    current = 3;
    push('workflows:changed', { workspaceId: WS, id: WF });
    await settled();
    expect(store.getState().draft).toMatchObject({ baseVersion: 2, dirty: true });
    unsub();
    off();
  });

  it('New workflow starts from a valid one-step definition', () => {
    expect(WorkflowDefinitionSchema.safeParse(JSON.parse(starterDefinition('nightly "report"', 'd'))).success).toBe(true);
  });
});

describe('step errors in plain words', () => {
  it('says what to do, and where', async () => {
    const { adviceFor } = await import('../../../renderer/src/features/workflows/step-advice');
    expect(adviceFor({ code: 'PRECONDITION_FAILED', message: 'connection is paused' }, false)).toEqual({
      advice: 'Nothing was sent. Resume the connection in Connections, then replay this run.',
      fix: 'connection',
    });
    expect(adviceFor({ code: 'NOT_FOUND', message: 'connection not found' }, false).advice).toContain('Insert connection');
    expect(adviceFor({ code: 'NOT_FOUND', message: `secret ${WF} not found — secret ids are case-sensitive UUIDs` }, false).advice).toContain('Insert secret');
    expect(adviceFor({ code: 'AUTH_FAILED', message: 'the provider refused the credential (HTTP 401)' }, true)).toMatchObject({ fix: 'connection' });
    expect(adviceFor({ code: 'AUTH_FAILED', message: 'x' }, true).advice).toContain('re-authorize');
    expect(adviceFor({ code: 'RATE_LIMITED', message: 'rate limited, retry after 30 s' }, true).fix).toBeUndefined();
    expect(adviceFor({ code: 'X', message: 'something else' }, false).advice).toContain('replay from the failed step');
  });
});

describe('datastore "Used by" (read defensively)', () => {
  it('shows the references when the detail has them, nothing when it does not', async () => {
    const { createDatastoresStore } = await import('../../../renderer/src/features/datastores/datastores-store');
    const { createPathUploader } = await import('../../../renderer/src/api/uploader');
    let detail: Record<string, unknown> = { id: DS, referencedBy: [{ type: 'workflow', id: WF, name: 'W › read' }] };
    const { api } = fakeApi({
      'datastores:list': () => ({ ok: true, value: { items: [{ id: DS, name: 'Reports' }], nextCursor: null } }),
      'datastores:usage': () => ({ ok: true, value: { bytesUsed: 0, objectCount: 0 } }),
      'datastores:objects:list': () => ({ ok: true, value: { items: [], prefixes: [], nextCursor: null } }),
      'datastores:get': () => ({ ok: true, value: detail }),
    });
    const s = createDatastoresStore(api, createPathUploader(api, () => ''));
    await s.getState().load(WS);
    s.getState().select(DS);
    await s.getState().loadUsedBy(DS);
    expect(s.getState().usedBy).toEqual({ datastoreId: DS, referrers: [{ type: 'workflow', id: WF, name: 'W › read' }] });
    detail = { id: DS };
    await s.getState().loadUsedBy(DS);
    expect(s.getState().usedBy).toBeNull();
  });
});
