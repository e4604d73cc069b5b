import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '@core/ports';
import { StepError } from '@core/workflows/step-kind';
import { makeReadyCore, unwrap } from '../../helpers/test-core';
import { fakeKind, fakeStep, insertWorkflow, settled } from './run-fixture';

/** Every form of `v` the scrubber promises to catch. */
const forms = (v: string) => [
  v,
  Buffer.from(v).toString('base64'),
  Buffer.from(v).toString('base64').replace(/=+$/, ''),
  Buffer.from(v).toString('base64url'),
  encodeURIComponent(v),
  encodeURIComponent(v).replace(/%20/g, '+'),
  JSON.stringify(v).slice(1, -1),
];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const logs: string[] = [];
const logger: Logger = { log: (level, message, fields) => void logs.push(JSON.stringify({ level, message, fields })) };
let cleanup = () => {};
afterAll(() => cleanup());

describe('canary: a secret injected into a step never appears anywhere', () => {
  it('not in the db file, the data dir, run outputs or errors, the audit log, logs or responses', async () => {
    const t = await makeReadyCore({ logger });
    cleanup = () => fs.rmSync(t.dataDir, { recursive: true, force: true });
    await t.core.start();
    const ws = t.core.workspaces.defaultWorkspace().id;
    // Spaces, a quote, a slash and a plus: every encoding differs from the raw value.
    const canary = `CANARY secret/"value"+${Math.random().toString(36).slice(2)}`;
    const derived = `Bearer derived-${Math.random().toString(36).slice(2)}`;
    const secret = t.core.secrets.create({ workspaceId: ws, name: 'canary', value: canary }, t.admin);
    t.core.runs.internal.steps.replace(
      fakeKind((c, ctx) => {
        const token = c.token as string;
        ctx.injected(derived);
        if (c.fail) throw new StepError('PROVIDER_ERROR', `provider echoed ${token} and ${Buffer.from(token).toString('base64')} and ${derived}`);
        return {
          raw: token,
          inText: `Authorization: ${token}`,
          b64: Buffer.from(token).toString('base64'),
          b64url: Buffer.from(token).toString('base64url'),
          url: `https://x.test/?q=${encodeURIComponent(token)}`,
          form: new URLSearchParams({ token }).toString(),
          json: JSON.stringify({ token, derived }),
          [token]: 'as a key',
          nested: [{ deep: { deeper: token } }],
          derived,
        };
      }),
    );
    const w = insertWorkflow(t.core, ws, {
      name: 'canary',
      steps: [fakeStep('echo', [], { token: { $secret: secret.id } }), fakeStep('tpl', ['echo'], { token: '{{ steps.echo.output.raw }}' }), fakeStep('boom', ['tpl'], { token: { $secret: secret.id }, fail: true })],
    });
    const { id } = unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w }));
    const run = await settled(t.core, ws, id);
    expect(run.status).toBe('failed');
    expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'failed']);
    // The scrubbed output keeps its shape.
    expect(run.steps[0]!.output).toMatchObject({ raw: '***', inText: 'Authorization: ***', b64: '***', derived: '***', '***': 'as a key' });
    expect(run.error!.message).toBe('provider echoed *** and *** and ***');

    const responses = JSON.stringify([
      run,
      unwrap(await t.invoke('runs:get', { workspaceId: ws, id })),
      unwrap(await t.invoke('runs:list', { workspaceId: ws })),
      t.core.audit.list({ workspaceId: ws, limit: 500 }, t.admin),
    ]);
    const needles = [...forms(canary), ...forms(derived)];
    for (const n of needles) {
      expect(responses).not.toContain(n);
      expect(logs.join('\n')).not.toContain(n);
    }
    t.core.close();
    for (const file of filesUnder(t.dataDir)) {
      const bytes = fs.readFileSync(file);
      for (const n of needles) expect(bytes.includes(Buffer.from(n)), `${n} in ${path.relative(t.dataDir, file)}`).toBe(false);
    }
  });
});
