import { describe, expect, it, vi } from 'vitest';
import type { Channel } from '@shared/ipc/contract';
import type { Client } from '../../../electron/cli/client';
import { createOutput } from '../../../electron/cli/output';
import { parseInputs, runWorkflow } from '../../../electron/cli/workflows-command';

/** A client answering workflows:run and then runs:get from a script of run states (the REST contract's shapes). */
function scripted(states: Array<{ status: string; steps: Array<{ stepId: string; status: string; error?: { message: string } }> }>) {
  const calls: Array<[Channel, unknown]> = [];
  let i = 0;
  const client = {
    mode: 'rest',
    async call(channel: Channel, input: unknown) {
      calls.push([channel, input]);
      if (channel === 'workflows:run') return { id: 'run-1', status: 'queued' };
      const s = states[Math.min(i++, states.length - 1)]!;
      return { id: 'run-1', status: s.status, durationMs: 12, error: s.status === 'failed' ? { code: 'STEP_FAILED', message: 'step b failed' } : null, steps: s.steps.map((x) => ({ kind: 'http', error: null, ...x })) };
    },
    upload: vi.fn(),
    download: vi.fn(),
    close: vi.fn(),
  } as unknown as Client;
  return { client, calls };
}

function capture() {
  const lines: string[] = [];
  const stream = { write: (t: string) => lines.push(t) } as unknown as NodeJS.WritableStream;
  return { out: createOutput(false, stream), text: () => lines.join('') };
}

describe('workflows run', () => {
  it('--input values: numbers, booleans and null as JSON, the rest as text; a pair without = is a usage error', () => {
    expect(parseInputs(['n=3', 'b=true', 'z=null', 's=eu-west', 'o={"a":1}'])).toEqual({ n: 3, b: true, z: null, s: 'eu-west', o: '{"a":1}' });
    expect(() => parseInputs(['novalue'])).toThrow(/expected key=value/);
  });

  it('without --wait: prints the run id and status, exit 0', async () => {
    const { client, calls } = scripted([]);
    const { out, text } = capture();
    expect(await runWorkflow(client, out, 'wf-1', { inputs: { n: 1 }, wait: false, intervalMs: 1, signal: new AbortController().signal })).toBe(0);
    expect(calls).toEqual([['workflows:run', { id: 'wf-1', inputs: { n: 1 } }]]);
    expect(text()).toBe('id: run-1\nstatus: queued\n');
  });

  it('--wait: each step once per status change, then the run result as the exit code (0 succeeded, 1 failed)', async () => {
    const ok = scripted([
      { status: 'running', steps: [{ stepId: 'a', status: 'running' }, { stepId: 'b', status: 'pending' }] },
      { status: 'running', steps: [{ stepId: 'a', status: 'running' }, { stepId: 'b', status: 'pending' }] },
      { status: 'succeeded', steps: [{ stepId: 'a', status: 'succeeded' }, { stepId: 'b', status: 'succeeded' }] },
    ]);
    const a = capture();
    expect(await runWorkflow(ok.client, a.out, 'wf-1', { inputs: {}, wait: true, intervalMs: 1, signal: new AbortController().signal })).toBe(0);
    expect(a.text()).toBe(
      'step a (http): running\nstep b (http): pending\nstep a (http): succeeded\nstep b (http): succeeded\nid: run-1\nstatus: succeeded\ndurationMs: 12\nerror: -\n',
    );
    const bad = scripted([{ status: 'failed', steps: [{ stepId: 'b', status: 'failed', error: { message: 'HTTP 500' } }] }]);
    const b = capture();
    expect(await runWorkflow(bad.client, b.out, 'wf-1', { inputs: {}, wait: true, intervalMs: 1, signal: new AbortController().signal })).toBe(1);
    expect(b.text()).toContain('step b (http): failed — HTTP 500\n');
    expect(b.text()).toContain('error: step b failed\n');
  });
});
