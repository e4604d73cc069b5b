import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Input } from '@shared/ipc/contract';
import type { ConnectionService } from '@core/connections/connection-service';
import { makeReadyCore } from '../../helpers/test-core';
import { checkCompleteness, checkRow, principals, validTester, type GateRow } from './access-gate-harness';

/**
 * One home for authorization: every method of the connection service that reads or changes data checks POLICY
 * itself, whoever calls it (IPC, REST, the console, a future CLI or workflow runner). A method added without a row
 * here, or without a check, fails this suite.
 */
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let actors: ReturnType<typeof principals>;
let n = 0;

beforeAll(async () => {
  t = await makeReadyCore({ connectionTester: validTester });
  ws = t.core.workspaces.defaultWorkspace().id;
  const other = t.core.workspaces.create('Other team', t.admin).id;
  actors = principals(t.core, ws, other);
});
afterAll(() => t.close());

const draft = (): Input<'connections:create'> => ({
  workspaceId: ws,
  name: `gate ${++n}`,
  provider: 'datadog',
  authType: 'apikey',
  credential: 'dd-key-0123456789abcdef',
  settings: { site: 'datadoghq.com' },
});
const existing = () => t.core.connections.create(draft(), t.admin).id;

type Methods = Exclude<keyof ConnectionService, 'internal'>;
/** The checked table: each user-facing method, the POLICY operations it takes, and a valid call of it. */
const CHECKED: { [K in Methods]: GateRow<string> } = {
  list: { ops: ['connection.list'], call: (a) => t.core.connections.list({ workspaceId: ws }, a) },
  detail: { ops: ['connection.read_detail'], setup: existing, call: (a, id) => t.core.connections.detail(ws, id, a) },
  create: { ops: ['connection.create'], call: (a) => t.core.connections.create(draft(), a) },
  update: { ops: ['connection.update'], setup: existing, call: (a, id) => t.core.connections.update({ workspaceId: ws, id, name: `renamed ${++n}` }, a) },
  remove: { ops: ['connection.delete'], setup: existing, call: (a, id) => t.core.connections.remove(ws, id, false, a) },
  test: { ops: ['connection.test'], setup: existing, call: (a, id) => t.core.connections.test(ws, id, a) },
  // A draft test sends a credential nobody stored: it takes the test and the create permission.
  testDraft: {
    ops: ['connection.test', 'connection.create'],
    call: (a) => t.core.connections.testDraft({ workspaceId: ws, provider: 'datadog', authType: 'apikey', credential: 'dd-key-0123456789abcdef', settings: { site: 'datadoghq.com' } }, a),
  },
  // The CLI's exec: the credential handed to a program the caller runs.
  useCredential: { ops: ['connection.use'], setup: existing, call: (a, id) => t.core.connections.useCredential(ws, id, a), auditsDenial: 'connection.used' },
};

/** Trusted core code only: no access check, each with why. */
const INTERNAL: Record<keyof ConnectionService['internal'], string> = {
  get: 'the stored record for the OAuth capability and run steps; people read through detail (audited)',
  credentialFor: 'run steps use a connection for an already-authorized run; never returned to a caller',
  assertNameFree: 'the consent flow checks a name before it starts, after checking connection.create itself',
  markError: 'the token service records a failed refresh as the system',
  markHealthy: 'the consent flow records completed consent, after its own check',
  detachSecret: "the reference index's detacher, inside a secret's forced delete that checked secret.write",
  registerCredentialSource: 'composition-root wiring of the OAuth access-token provider',
};

describe('connection service: the access gate', () => {
  for (const [method, row] of Object.entries(CHECKED)) {
    it(`${method} is refused where POLICY refuses (${row.ops.join(' + ')}), and changes nothing then`, async () => {
      await checkRow(t.core, actors, row);
    });
  }

  it('every method is either checked above or internal with a reason', () => {
    checkCompleteness(t.core.connections, CHECKED, INTERNAL);
  });

  it('the gate is in the service, not in the transport: a refused detail writes no connection.accessed', async () => {
    const id = existing();
    const viewer = actors.find((p) => p.label === 'viewer')!.actor;
    expect(() => t.core.connections.detail(ws, id, viewer)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(t.core.audit.list({ workspaceId: ws, action: 'connection.accessed' }, t.admin).items.filter((e) => e.target.id === id)).toEqual([]);
  });
});
