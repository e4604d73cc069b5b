import { afterEach, describe, expect, it } from 'vitest';
import type { Run, WorkflowDefinition } from '@shared/domain/workflow';
import type { StepKindModule } from '@core/workflows/step-kind';
import { unwrap } from '../../helpers/test-core';
import { oauthFixture } from '../../helpers/oauth-fixture';
import { driveBrowser } from '../../fakes/oidc-server';
import { settled } from './run-fixture';

/**
 * The seeds' "token revoked mid-run" case at the run level, through the real core and the real oidc-provider:
 * storage get → transform → http (an OAuth connection) → storage put, on a real filesystem datastore.
 *
 * Run 1 succeeds. During run 2 the grant is revoked at the provider (its access tokens are refused from then on). Run 2 fails at
 * the http step with an authentication error, the later step is skipped, the connection goes to `error` with
 * connection.refresh_failed audited. After the consent flow again, a replay of run 2 reuses the get and the transform
 * (they do not run again: the kinds' executions, the datastore's reads and the provider's hits are counted) and runs
 * the http step and the put.
 */
type Fx = Awaited<ReturnType<typeof oauthFixture>>;
let fx: Fx | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

/**
 * Wraps every registered kind in place: the real module runs, and each execution is counted per kind; `before` is
 * called first (the test revokes the grant from there, while a run is going).
 */
function countKinds(f: Fx, before: (kind: string) => void): Record<string, number> {
  const executed: Record<string, number> = {};
  for (const kind of f.core.runs.internal.steps.kinds()) {
    const real = f.core.runs.internal.steps.get(kind)! as StepKindModule<unknown>;
    f.core.runs.internal.steps.replace<unknown>({
      ...real,
      run: (config, ctx) => {
        executed[kind] = (executed[kind] ?? 0) + 1;
        before(kind);
        return real.run(config, ctx);
      },
    });
  }
  return executed;
}

describe('an OAuth token revoked mid-run fails the run at that step; after re-authorization, replay finishes it', () => {
  it('run 1 succeeds; revoked → run 2 failed at the http step, connection error; re-authorize → replay reuses get and transform', async () => {
    fx = await oauthFixture();
    const f = fx;
    const connectionId = (await f.authorize('Okta for the workflow')).connectionId!;
    const ds = (await f.core.datastores.create(f.admin, { workspaceId: f.ws, name: 'people' })).id;
    await f.core.datastores.putText(f.admin, { workspaceId: f.ws, datastoreId: ds, key: 'in/people.csv', content: 'name\nada\nalan\n', contentType: 'text/csv' });

    // The datastore's reads and writes, counted under the storage kind (the real object service answers).
    const hits = { read: 0, put: 0 };
    const { createStorageStepKind } = await import('@core/workflows/steps/storage-step');
    f.core.runs.internal.steps.replace(
      createStorageStepKind({
        objects: {
          read: (...a: Parameters<typeof f.core.datastores.read>) => (hits.read++, f.core.datastores.read(...a)),
          putText: (...a: Parameters<typeof f.core.datastores.putText>) => (hits.put++, f.core.datastores.putText(...a)),
        },
      }),
    );
    // While run 2 goes, between its get and its http step, the user removes the app at the provider: the grant, the
    // refresh token and the access token the core holds are gone, so the provider refuses that token from then on.
    let revokeDuringTransform = false;
    const executed = countKinds(f, (kind) => {
      if (kind === 'transform' && revokeDuringTransform) {
        revokeDuringTransform = false;
        f.oidc.revokeAll();
      }
    });

    const definition: WorkflowDefinition = {
      name: 'people to the directory',
      steps: [
        { id: 'read', kind: 'storage', config: { action: 'get', datastoreId: ds, key: 'in/people.csv' } },
        { id: 'shape', kind: 'transform', needs: ['read'], config: { expression: '{"people": $count($split(context.fileContent, "\\n")[$length($) > 0]) - 1}' } },
        { id: 'call', kind: 'http', needs: ['shape'], config: { connectionId, method: 'GET', path: '/oauth2/v1/userinfo', headers: { 'X-People': '{{ steps.shape.output.people }}' } } },
        { id: 'write', kind: 'storage', needs: ['call'], config: { action: 'put', datastoreId: ds, key: 'out/result.json', content: '{"sub": "{{ steps.call.output.body.sub }}", "people": {{ steps.shape.output.people }}}', contentType: 'application/json' } },
      ],
    };
    const w = unwrap(await f.invoke('workflows:create', { workspaceId: f.ws, definition }));
    const run = async (): Promise<Run> => settled(f.core, f.ws, unwrap(await f.invoke('workflows:run', { workspaceId: f.ws, id: w.id })).id);
    const byStep = (r: Run) => Object.fromEntries(r.steps.map((s) => [s.stepId, s]));
    const readBack = async () => {
      const { stream } = await f.core.datastores.read(f.admin, f.ws, ds, 'out/result.json');
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    };

    // Run 1: everything runs and succeeds; the http step records the connection it used.
    const userinfoBefore = f.oidc.stats.userinfo;
    const run1 = await run();
    expect(run1.status).toBe('succeeded');
    expect(run1.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(byStep(run1).call).toMatchObject({ connectionId, output: { status: 200, body: { sub: 'test-user' } } });
    expect(await readBack()).toEqual({ sub: 'test-user', people: 2 });
    expect(f.oidc.stats.userinfo - userinfoBefore).toBe(1);
    expect(executed).toEqual({ storage: 2, transform: 1, http: 1 });
    expect(hits).toEqual({ read: 1, put: 1 });

    // Run 2: revoked mid-run; it fails at the http step with an authentication error; the put after it never runs.
    revokeDuringTransform = true;
    const run2 = await run();
    expect(revokeDuringTransform).toBe(false);
    expect(run2.status).toBe('failed');
    expect(run2.error).toMatchObject({ code: 'AUTH_FAILED', stepId: 'call' });
    expect(run2.error!.message).toMatch(/^authentication failed/);
    const s2 = byStep(run2);
    expect([s2.read!.status, s2.shape!.status, s2.call!.status, s2.write!.status]).toEqual(['succeeded', 'succeeded', 'failed', 'skipped']);
    expect(s2.call).toMatchObject({ attempt: 1, connectionId, error: { code: 'AUTH_FAILED' } }); // not retried: an auth failure is not transient
    expect(f.oidc.stats.userinfo - userinfoBefore).toBe(2);
    expect(executed).toEqual({ storage: 3, transform: 2, http: 2 });
    expect(hits).toEqual({ read: 2, put: 1 });
    const conn = unwrap(await f.invoke('connections:get', { workspaceId: f.ws, id: connectionId }));
    expect(conn.status).toBe('error');
    const refreshFailed = unwrap(await f.invoke('audit:list', { workspaceId: f.ws, action: 'connection.refresh_failed' })).items;
    expect(refreshFailed.map((a) => a.target.id)).toEqual([connectionId]);
    const runFailed = unwrap(await f.invoke('audit:list', { workspaceId: f.ws, action: 'workflow.run_failed' })).items;
    expect(runFailed.find((a) => (a.details as { runId?: string }).runId === run2.id)?.details).toMatchObject({ stepId: 'call', errorCode: 'AUTH_FAILED' });

    // Re-authorize through the consent flow (the user approves again).
    const re = unwrap(await f.invoke('oauth:reauthorize', { workspaceId: f.ws, id: connectionId }));
    await driveBrowser(re.authorizationUrl);
    expect(await f.waitFlow(re.flowId)).toMatchObject({ state: 'completed', connectionId });
    expect(unwrap(await f.invoke('connections:get', { workspaceId: f.ws, id: connectionId })).status).toBe('active');

    // Replay run 2 from the failed step: get and transform are reused from run 2 and not executed again.
    const replayed = unwrap(await f.invoke('runs:replay', { workspaceId: f.ws, id: run2.id, from: 'failed' }));
    const run3 = await settled(f.core, f.ws, replayed.id);
    expect(run3).toMatchObject({ status: 'succeeded', trigger: 'replay', replayOf: run2.id, version: run2.version, error: null });
    const s3 = byStep(run3);
    expect(s3.read).toMatchObject({ status: 'reused', reusedFrom: run2.id, attempt: 0, startedAt: null, output: s2.read!.output });
    expect(s3.shape).toMatchObject({ status: 'reused', reusedFrom: run2.id, attempt: 0, startedAt: null, output: { people: 2 } });
    expect(s3.call).toMatchObject({ status: 'succeeded', reusedFrom: null, attempt: 1, connectionId, output: { status: 200, body: { sub: 'test-user' } } });
    expect(s3.write).toMatchObject({ status: 'succeeded', reusedFrom: null });
    expect(executed).toEqual({ storage: 4, transform: 2, http: 3 });
    expect(hits).toEqual({ read: 2, put: 2 });
    expect(f.oidc.stats.userinfo - userinfoBefore).toBe(3);
    expect(await readBack()).toEqual({ sub: 'test-user', people: 2 });
  });
});
