// One file (~400 lines): the definitions room end to end on one real core (SQLite, the vault unlocked), sharing its
// fixtures (a connection, a datastore and a secret per workspace); each describe block is one promise of issue 15.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '@shared/domain/workflow';
import type { Input } from '@shared/ipc/contract';
import { WORKFLOW_SCHEMA_ID } from '@core/workflows/workflow-service';
import { count, makeReadyCore, makeTestCore, tempDir, unwrap } from '../../helpers/test-core';
import { startCoreWorker } from '../../helpers/core-worker';
import { canary, scanForCanaries } from '../../helpers/canary';

let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let other: string;
/** What each workspace holds: steps reference these. */
const ids = { connection: '', datastore: '', secret: '', otherConnection: '', otherDatastore: '', otherSecret: '' };
const SECRET_VALUE = canary('workflow-secret');
let n = 0;

beforeAll(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
  other = t.core.workspaces.create('Other team', t.admin).id;
  const conn = (workspaceId: string) =>
    t.core.connections.create(
      { workspaceId, name: 'Datadog', provider: 'datadog', authType: 'apikey', credential: 'dd-key-0123456789abcdef', settings: { site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:9' } },
      t.admin,
    ).id;
  ids.connection = conn(ws);
  ids.otherConnection = conn(other);
  ids.datastore = (await t.core.datastores.create(t.admin, { workspaceId: ws, name: 'files' })).id;
  ids.otherDatastore = (await t.core.datastores.create(t.admin, { workspaceId: other, name: 'files' })).id;
  ids.secret = t.core.secrets.create({ workspaceId: ws, name: 'api-token', value: SECRET_VALUE }, t.admin).id;
  ids.otherSecret = t.core.secrets.create({ workspaceId: other, name: 'api-token', value: 'other value' }, t.admin).id;
});
afterAll(() => t.close());

/** The issue's example: read a CSV from a datastore, call a provider through a connection, write the result back. */
const definition = (over: Partial<WorkflowDefinition> = {}): WorkflowDefinition => ({
  name: `csv to provider ${++n}`,
  description: 'reads a CSV, posts it, writes the answer back',
  steps: [
    { id: 'read', kind: 'storage', config: { action: 'get', datastoreId: ids.datastore, key: 'in/data.csv' } },
    { id: 'shape', kind: 'transform', needs: ['read'], config: { expression: '$split(steps.read.output.fileContent, "\\n")' } },
    {
      id: 'post',
      kind: 'http',
      needs: ['shape'],
      config: {
        connectionId: ids.connection,
        method: 'POST',
        path: '/api/v1/series',
        headers: { 'X-Token': { $secret: ids.secret } },
        body: { rows: '{{ steps.shape.output }}' },
      },
    },
    { id: 'write', kind: 'storage', needs: ['post'], config: { action: 'put', datastoreId: ids.datastore, key: 'out/result.json', content: '{{ steps.post.output }}' } },
  ],
  ...over,
});
const create = (def: unknown = definition(), workspaceId = ws) => t.invoke('workflows:create', { workspaceId, definition: def } as Input<'workflows:create'>);
const written = () => [count(t.core.db, 'workflows'), count(t.core.db, 'workflow_versions'), count(t.core.db, 'resource_references')];

describe('invalid definitions are refused on save with the field that is wrong, nothing written', () => {
  const base = () => definition();
  const withStep = (i: number, patch: Record<string, unknown>) => {
    const d = base();
    (d.steps as unknown[])[i] = { ...d.steps[i]!, ...patch };
    return d;
  };
  const withConfig = (i: number, patch: Record<string, unknown>) => {
    const d = base();
    (d.steps as unknown[])[i] = { ...d.steps[i]!, config: { ...d.steps[i]!.config, ...patch } };
    return d;
  };
  const cases: Array<[string, () => unknown, string, RegExp]> = [
    ['an unknown kind', () => withStep(1, { kind: 'shell' }), 'definition.steps.1.kind', /'storage' \| 'http' \| 'transform'/],
    ['no steps', () => ({ name: 'empty', steps: [] }), 'definition.steps', /at least one step/],
    ['an unknown field', () => ({ ...base(), colour: 'red' }), 'definition.colour', /unknown field/],
    ['a bad step id', () => withStep(0, { id: '1st step' }), 'definition.steps.0.id', /starts with a letter/],
    ['a duplicate step id', () => withStep(3, { id: 'post' }), 'definition.steps.3.id', /duplicate step id "post"/],
    ['an unknown need', () => withStep(2, { needs: ['shape', 'nowhere'] }), 'definition.steps.2.needs.1', /unknown step "nowhere"/],
    ['a step needing itself', () => withStep(1, { needs: ['shape'] }), 'definition.steps.1.needs.0', /cannot need itself/],
    ['a cycle', () => withStep(0, { needs: ['write'] }), 'definition.steps.1.needs.0', /cycle: read → write → post → shape → read/],
    ['a template reading a step that is not an ancestor', () => withStep(1, { needs: [], config: { expression: 'steps.read.output' } }), 'definition.steps.1.config.expression', /not among the steps "shape" needs/],
    ['a template naming no step', () => withConfig(3, { content: 'x {{ steps.ghost.output }}' }), 'definition.steps.3.config.content', /no step has the id "ghost"/],
    ['a bad cron', () => ({ ...base(), schedule: '61 * * * *' }), 'definition.schedule', /not a valid cron/],
    ['a bad time zone', () => ({ ...base(), schedule: '0 * * * *', timezone: 'Mars/Olympus' }), 'definition.timezone', /IANA/],
    ['a bad time zone without a schedule', () => ({ ...base(), timezone: 'Nowhere/Else' }), 'definition.timezone', /IANA/],
    ['a JSONata syntax error', () => withConfig(1, { expression: '$sum(steps.read.output' }), 'definition.steps.1.config.expression', /not valid JSONata/],
    ['a connection that does not exist', () => withConfig(2, { connectionId: '6f1c1f0e-0000-4000-8000-000000000001' }), 'definition.steps.2.config.connectionId', /no connection with id .* in this workspace/],
    ['a datastore that does not exist', () => withConfig(0, { datastoreId: '6f1c1f0e-0000-4000-8000-000000000002' }), 'definition.steps.0.config.datastoreId', /no datastore with id/],
    ['a secret that does not exist', () => withConfig(2, { headers: { 'X-Token': { $secret: 'no-such-secret' } } }), 'definition.steps.2.config.headers.X-Token.$secret', /no secret with id no-such-secret/],
    ['a secret id in another case', () => withConfig(2, { headers: { 'X-Token': { $secret: ids.secret.toUpperCase() } } }), 'definition.steps.2.config.headers.X-Token.$secret', /case-sensitive/],
    ['a secret nested in a body', () => withConfig(2, { body: { auth: [{ token: { $secret: 'gone' } }] } }), 'definition.steps.2.config.body.auth.0.token.$secret', /no secret with id gone/],
    ['a $secret that is not text', () => withConfig(2, { headers: { 'X-Token': { $secret: 42 } } }), 'definition.steps.2.config.headers.X-Token', /Invalid input/],
    ['a connection of another workspace', () => withConfig(2, { connectionId: ids.otherConnection }), 'definition.steps.2.config.connectionId', /in this workspace/],
    ['a datastore of another workspace', () => withConfig(0, { datastoreId: ids.otherDatastore }), 'definition.steps.0.config.datastoreId', /in this workspace/],
    ['a secret of another workspace', () => withConfig(2, { headers: { 'X-Token': { $secret: ids.otherSecret } } }), 'definition.steps.2.config.headers.X-Token.$secret', /in this workspace/],
  ];
  it.each(cases)('%s → %s', async (_label, make, field, message) => {
    const before = written();
    const r = await create(make());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.field).toBe(field);
    expect(r.error.message).toMatch(message);
    expect(written()).toEqual(before);
    // validate (no save) lists the same issue with the same field.
    const v = unwrap(await t.invoke('workflows:validate', { workspaceId: ws, definition: make() }));
    expect(v.valid).toBe(false);
    expect(v.issues.some((i) => i.field === field || i.field.startsWith(`${field}.`)), JSON.stringify(v.issues)).toBe(true);
  });

  it('validate lists every issue at once, and a valid definition has none', async () => {
    const d = definition();
    (d.steps as unknown[])[1] = { ...d.steps[1]!, needs: ['nowhere'] };
    (d.steps as unknown[])[2] = { ...d.steps[2]!, config: { ...d.steps[2]!.config, connectionId: ids.otherConnection } };
    const v = unwrap(await t.invoke('workflows:validate', { workspaceId: ws, definition: { ...d, schedule: '0 9 * * 1-5', timezone: 'Atlantis/Deep' } }));
    // shape no longer needs read, so its expression reading steps.read is named too.
    expect(v.issues.map((i) => i.field).sort()).toEqual(
      ['definition.steps.1.needs.0', 'definition.steps.1.config.expression', 'definition.steps.2.config.connectionId', 'definition.timezone'].sort(),
    );
    expect(unwrap(await t.invoke('workflows:validate', { workspaceId: ws, definition: definition() }))).toEqual({ valid: true, issues: [] });
  });

  it('a cycle is named step by step', async () => {
    const d = definition();
    (d.steps as unknown[])[0] = { ...d.steps[0]!, needs: ['post'] };
    const v = unwrap(await t.invoke('workflows:validate', { workspaceId: ws, definition: d }));
    // read needs post, post needs shape, shape needs read: the edge that closes it is shape's.
    expect(v.issues).toEqual([{ field: 'definition.steps.1.needs.0', message: 'needs form a cycle: read → post → shape → read' }]);
  });
});

describe('versions: each save is a new version', () => {
  it('create is version 1, each update adds one, get ?version returns the old definition, versions lists them newest first', async () => {
    const first = definition();
    const w = unwrap(await create(first));
    expect(w).toMatchObject({ version: 1, name: first.name, stepCount: 4, schedule: null, nextRunAt: null, lastRun: null });
    const second = { ...first, description: 'second', steps: first.steps.slice(0, 2) };
    const v2 = unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: second, expectedVersion: 1 }));
    expect(v2).toMatchObject({ version: 2, description: 'second', stepCount: 2 });
    const v3 = unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: second }));
    expect(v3.version).toBe(3);

    const old = unwrap(await t.invoke('workflows:get', { workspaceId: ws, id: w.id, version: 1 }));
    expect(old.version).toBe(1);
    expect(old.definition).toEqual(first);
    expect(old.stepCount).toBe(4);
    const now = unwrap(await t.invoke('workflows:get', { workspaceId: ws, id: w.id }));
    expect(now.version).toBe(3);
    expect(now.definition).toEqual(second);
    const missing = await t.invoke('workflows:get', { workspaceId: ws, id: w.id, version: 9 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'version' } });

    const versions = unwrap(await t.invoke('workflows:versions', { workspaceId: ws, id: w.id }));
    expect(versions.items.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(versions.items[0]!.createdBy).toMatchObject({ kind: 'local', name: 'tester' });
  });

  it('a stale expectedVersion is a CONFLICT and saves nothing', async () => {
    const w = unwrap(await create());
    unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: { ...w.definition, description: 'first edit' }, expectedVersion: 1 }));
    const before = written();
    const r = await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: { ...w.definition, description: 'lost edit' }, expectedVersion: 1 });
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'expectedVersion' } });
    expect(written()).toEqual(before);
  });

  it('a schedule is read in its time zone and the next slot is stored on every save', async () => {
    const w = unwrap(await create(definition({ schedule: '30 9 * * *', timezone: 'Europe/Paris' })));
    expect(w.schedule).toBe('30 9 * * *');
    expect(w.timezone).toBe('Europe/Paris');
    const next = new Date(w.nextRunAt!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('09:30');
    const unscheduled = unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: { ...w.definition, schedule: null } }));
    expect(unscheduled.nextRunAt).toBeNull();
    expect((t.core.db.prepare('SELECT next_run_at FROM workflows WHERE id = ?').get(w.id) as { next_run_at: string | null }).next_run_at).toBeNull();
  });

  it('audits created / updated / deleted with version and step count, never config values', async () => {
    const w = unwrap(await create());
    unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: w.definition }));
    unwrap(await t.invoke('workflows:delete', { workspaceId: ws, id: w.id }));
    const events = t.core.audit.list({ workspaceId: ws }, t.admin).items.filter((e) => e.target.id === w.id);
    expect(events.map((e) => [e.action, e.details.version, e.details.stepCount])).toEqual([
      ['workflow.deleted', 2, 4],
      ['workflow.updated', 2, 4],
      ['workflow.created', 1, 4],
    ]);
    const text = JSON.stringify(events);
    expect(text).not.toContain(ids.secret);
    expect(text).not.toContain('api/v1/series');
  });

  it('pushes workflows:changed on every save and delete', async () => {
    const seen: string[] = [];
    const stop = t.core.bus.subscribe((event, payload) => {
      if (event === 'workflows:changed') seen.push((payload as { id: string }).id);
    });
    const w = unwrap(await create());
    unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: w.definition }));
    unwrap(await t.invoke('workflows:delete', { workspaceId: ws, id: w.id }));
    stop();
    expect(seen).toEqual([w.id, w.id, w.id]);
  });
});

describe('import / export', () => {
  it('export is the definition with $schema; importing it creates an equal workflow, and updating with it is a no-op change', async () => {
    const w = unwrap(await create());
    const file = unwrap(await t.invoke('workflows:export', { workspaceId: ws, id: w.id }));
    expect(file.$schema).toBe(WORKFLOW_SCHEMA_ID);
    const { $schema: _s, ...rest } = file;
    expect(rest).toEqual(w.definition);
    // The file as it travels: JSON text, parsed again.
    const imported = unwrap(await create(JSON.parse(JSON.stringify({ ...file, name: `${file.name} (copy)` }))));
    expect({ ...imported.definition, name: w.definition.name }).toEqual(w.definition);
    expect(imported.references).toEqual(w.references);
    const again = unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: file }));
    expect(again.definition).toEqual(w.definition);
    expect(again.version).toBe(2);
    // An older version exports as it was.
    expect(unwrap(await t.invoke('workflows:export', { workspaceId: ws, id: w.id, version: 1 })).name).toBe(w.name);
  });

  it('the JSON Schema describes the file format and carries the id exports point at', async () => {
    const schema = unwrap(await t.invoke('workflows:schema', { workspaceId: ws }));
    expect(schema.$id).toBe(WORKFLOW_SCHEMA_ID);
    expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining(['name', 'description', 'schedule', 'steps']));
  });

  it('ids of another workspace do not travel: importing a file into another workspace names each missing id', async () => {
    const w = unwrap(await create());
    const file = unwrap(await t.invoke('workflows:export', { workspaceId: ws, id: w.id }));
    const v = unwrap(await t.invoke('workflows:validate', { workspaceId: other, definition: file }));
    expect(v.issues.map((i) => i.field).sort()).toEqual(
      [
        'definition.steps.0.config.datastoreId',
        'definition.steps.2.config.connectionId',
        'definition.steps.2.config.headers.X-Token.$secret',
        'definition.steps.3.config.datastoreId',
      ].sort(),
    );
  });
});

describe('names', () => {
  it('are unique per workspace by nameKey (case and Unicode folding), and free in another workspace', async () => {
    unwrap(await create(definition({ name: 'Café sync' })));
    expect(await create(definition({ name: 'CAFÉ SYNC' }))).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'definition.name' } });
    expect(await create(definition({ name: 'Cafe\u0301 sync' }))).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const elsewhere = definition({ name: 'Café sync', steps: [{ id: 'only', kind: 'transform', config: { expression: '1' } }] });
    expect((await create(elsewhere, other)).ok).toBe(true);
  });

  it('a rename to a taken name is refused; renaming to its own name in another case is fine', async () => {
    const a = unwrap(await create(definition({ name: 'Alpha flow' })));
    unwrap(await create(definition({ name: 'Beta flow' })));
    expect(await t.invoke('workflows:update', { workspaceId: ws, id: a.id, definition: { ...a.definition, name: 'beta FLOW' } })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: a.id, definition: { ...a.definition, name: 'ALPHA flow' } })).name).toBe('ALPHA flow');
  });

  it('list searches names and pages with a cursor', async () => {
    for (const name of ['Page me 1', 'page ME 2', 'Page me 3']) unwrap(await create(definition({ name })));
    const first = unwrap(await t.invoke('workflows:list', { workspaceId: ws, q: 'page me', limit: 2 }));
    expect(first.items.map((w) => w.name)).toEqual(['Page me 1', 'page ME 2']);
    const second = unwrap(await t.invoke('workflows:list', { workspaceId: ws, q: 'page me', limit: 2, cursor: first.nextCursor! }));
    expect(second.items.map((w) => w.name)).toEqual(['Page me 3']);
    expect(second.nextCursor).toBeNull();
    expect(await t.invoke('workflows:list', { workspaceId: other, cursor: first.nextCursor! })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'cursor' } });
  });
});

describe('references: "Used by" and delete protection', () => {
  it('a saved workflow is listed, with its steps, on the connection, the secret and the datastore it uses', async () => {
    const w = unwrap(await create(definition({ name: 'Used-by flow' })));
    expect(w.references).toEqual(
      expect.arrayContaining([
        { type: 'datastore', id: ids.datastore, stepIds: ['read', 'write'] },
        { type: 'connection', id: ids.connection, stepIds: ['post'] },
        { type: 'secret', id: ids.secret, stepIds: ['post'] },
      ]),
    );
    const conn = unwrap(await t.invoke('connections:get', { workspaceId: ws, id: ids.connection }));
    expect(conn.referencedBy).toContainEqual({ type: 'workflow', id: w.id, name: 'Used-by flow › post' });
    const secret = unwrap(await t.invoke('secrets:get', { workspaceId: ws, id: ids.secret }));
    expect(secret.references).toContainEqual({ fromType: 'workflow', fromId: w.id, fromName: 'Used-by flow › post' });
    const ds = unwrap(await t.invoke('datastores:get', { workspaceId: ws, datastoreId: ids.datastore }));
    expect(ds.referencedBy).toContainEqual({ type: 'workflow', id: w.id, name: 'Used-by flow › read, write' });

    // A new version that no longer uses the secret drops it; a delete drops them all.
    const d = structuredClone(w.definition);
    (d.steps[2]!.config as { headers?: unknown }).headers = undefined;
    delete (d.steps[2]!.config as { headers?: unknown }).headers;
    unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: d }));
    expect(unwrap(await t.invoke('secrets:get', { workspaceId: ws, id: ids.secret })).references.map((r) => r.fromId)).not.toContain(w.id);
    unwrap(await t.invoke('workflows:delete', { workspaceId: ws, id: w.id }));
    expect(t.core.db.prepare("SELECT COUNT(*) AS n FROM resource_references WHERE from_type = 'workflow' AND from_id = ?").get(w.id)).toEqual({ n: 0 });
  });

  it('deleting a referenced connection, secret or datastore needs force; force clears the references', async () => {
    const conn = t.core.connections.create(
      { workspaceId: ws, name: `to delete ${++n}`, provider: 'datadog', authType: 'apikey', credential: 'dd-key-0123456789abcdef', settings: { site: 'datadoghq.com' } },
      t.admin,
    ).id;
    const secret = t.core.secrets.create({ workspaceId: ws, name: `to-delete-${++n}`, value: 'v' }, t.admin).id;
    const ds = (await t.core.datastores.create(t.admin, { workspaceId: ws, name: `to delete ${++n}` })).id;
    const w = unwrap(
      await create(
        definition({
          steps: [
            { id: 'get', kind: 'storage', config: { action: 'get', datastoreId: ds, key: 'k' } },
            { id: 'call', kind: 'http', needs: ['get'], config: { connectionId: conn, method: 'GET', path: '/x', headers: { A: { $secret: secret } } } },
          ],
        }),
      ),
    );
    const refs = (type: string, id: string) => t.core.references.referencesTo({ type, id }).map((r) => r.fromId);

    expect(await t.invoke('connections:delete', { workspaceId: ws, id: conn })).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'force' } });
    expect(await t.invoke('secrets:delete', { workspaceId: ws, id: secret })).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'force' } });
    const refused = await t.invoke('datastores:delete', { workspaceId: ws, datastoreId: ds });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'force' } });
    if (!refused.ok) expect(refused.error.message).toContain(w.name);
    expect(refs('datastore', ds)).toEqual([w.id]);

    unwrap(await t.invoke('connections:delete', { workspaceId: ws, id: conn, force: true }));
    unwrap(await t.invoke('secrets:delete', { workspaceId: ws, id: secret, force: true }));
    unwrap(await t.invoke('datastores:delete', { workspaceId: ws, datastoreId: ds, force: true }));
    expect([refs('connection', conn), refs('secret', secret), refs('datastore', ds)]).toEqual([[], [], []]);
    // The workflow stays (its runs will fail at those steps); saving it again names what is gone.
    expect(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: w.definition })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', field: 'definition.steps.0.config.datastoreId' },
    });
  });
});

describe('delete', () => {
  const insertRun = (workflowId: string, status: string) =>
    t.core.db
      .prepare("INSERT INTO workflow_runs (id, workspace_id, workflow_id, version, status, trigger, started_by, queued_at) VALUES (?, ?, ?, 1, ?, 'manual', '{}', ?)")
      .run(crypto.randomUUID(), ws, workflowId, status, new Date().toISOString());

  it('is refused while a run is queued or running, and removes versions and runs otherwise', async () => {
    for (const status of ['queued', 'running']) {
      const w = unwrap(await create());
      insertRun(w.id, status);
      expect(await t.invoke('workflows:delete', { workspaceId: ws, id: w.id })).toEqual({
        ok: false,
        error: { code: 'CONFLICT', message: 'a run of this workflow is in progress: cancel it first' },
      });
      t.core.db.prepare("UPDATE workflow_runs SET status = 'cancelled' WHERE workflow_id = ?").run(w.id);
      expect(unwrap(await t.invoke('workflows:list', { workspaceId: ws, q: w.name })).items[0]!.lastRun).toMatchObject({ status: 'cancelled' });
      expect(unwrap(await t.invoke('workflows:delete', { workspaceId: ws, id: w.id }))).toEqual({ id: w.id, deleted: true });
      for (const table of ['workflow_versions', 'workflow_runs']) {
        expect(t.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE workflow_id = ?`).get(w.id)).toEqual({ n: 0 });
      }
      expect(await t.invoke('workflows:get', { workspaceId: ws, id: w.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });
});

describe('workspace isolation', () => {
  it("another workspace's workflow is not found by any channel", async () => {
    const w = unwrap(await create());
    const ref = { workspaceId: other, id: w.id };
    for (const r of [
      await t.invoke('workflows:get', ref),
      await t.invoke('workflows:export', ref),
      await t.invoke('workflows:versions', ref),
      await t.invoke('workflows:update', { ...ref, definition: definition() }),
      await t.invoke('workflows:delete', ref),
    ]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(unwrap(await t.invoke('workflows:list', { workspaceId: other })).items.map((x) => x.id)).not.toContain(w.id);
    expect(t.core.workflows.internal.get(ws, w.id).id).toBe(w.id);
    expect(() => t.core.workflows.internal.get(other, w.id)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => t.core.workflows.internal.getVersion(other, w.id, 1)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(t.core.workflows.internal.getVersion(ws, w.id, 1).definition).toEqual(w.definition);
  });
});

describe('canary: a definition holds secret ids, never values', () => {
  it('the secret value is nowhere in the data dir after saves that reference it', async () => {
    const w = unwrap(await create());
    unwrap(await t.invoke('workflows:update', { workspaceId: ws, id: w.id, definition: w.definition }));
    const stored = t.core.db.prepare('SELECT definition FROM workflow_versions WHERE workflow_id = ?').all(w.id) as Array<{ definition: string }>;
    expect(stored.every((r) => r.definition.includes(`{"$secret":"${ids.secret}"}`))).toBe(true);
    t.core.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(scanForCanaries([SECRET_VALUE], t.dataDir)).toEqual([]);
  });
});

describe('two processes saving one workflow', () => {
  it('each save gets its own version number, none is lost and none fails', async () => {
    const dataDir = tempDir();
    const first = makeTestCore({}, dataDir);
    const workspaceId = first.core.workspaces.defaultWorkspace().id;
    const w = first.core.workflows.create({ workspaceId, definition: { name: 'shared', steps: [{ id: 'a', kind: 'transform', config: { expression: '1' } }] } }, first.admin);
    first.core.close(); // only the two workers touch the database now
    type Result = { done: true; versions: number[]; errors: string[] };
    const saves = 40;
    const workers = await Promise.all(['a', 'b'].map((label) => startCoreWorker<Result>('workflow-save-worker.ts', { dataDir, workspaceId, id: w.id, saves, label })));
    try {
      workers.forEach((x) => x.go());
      const results = await Promise.all(workers.map((x) => x.result()));
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const all = results.flatMap((r) => r.versions).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 2 * saves }, (_, i) => i + 2));
      const again = makeTestCore({}, dataDir);
      try {
        expect(again.core.workflows.versions({ workspaceId, id: w.id }, again.admin).items.length).toBe(2 * saves + 1);
      } finally {
        again.close();
      }
    } finally {
      workers.forEach((x) => x.kill());
    }
  }, 60_000);
});
