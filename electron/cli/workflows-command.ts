import { CliError } from './cli-error';
import type { Client } from './client';
import type { Output } from './output';

type InputValue = string | number | boolean | null;

/** `--input k=v` → the run's inputs (numbers, booleans and null as JSON reads them; anything else as text). */
export function parseInputs(pairs: readonly string[]): Record<string, InputValue> {
  const out: Record<string, InputValue> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliError('USAGE', `--input ${p}: expected key=value`);
    const raw = p.slice(eq + 1);
    let v: InputValue = raw;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed === null || ['number', 'boolean'].includes(typeof parsed)) v = parsed as InputValue;
    } catch {
      v = raw;
    }
    out[p.slice(0, eq)] = v;
  }
  return out;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * `workflows run`: starts a run; with --wait, shows each step as its status changes (polling GET /runs/{id}) and
 * leaves with the run's result: 0 succeeded, 1 failed or cancelled. In --data-dir mode it always waits.
 */
export async function runWorkflow(client: Client, out: Output, id: string, o: { inputs: Record<string, InputValue>; wait: boolean; intervalMs: number; signal: AbortSignal }): Promise<number> {
  const started = await client.call('workflows:run', { id, inputs: Object.keys(o.inputs).length ? o.inputs : undefined });
  // In --data-dir mode the run executes in this process: it cannot outlive the command (closing the core would mark
  // it interrupted), so the command always waits for it.
  if (!o.wait && client.mode === 'local') out.note('running in this process (--data-dir): waiting for the run to end');
  if (!o.wait && client.mode !== 'local') {
    out.record({ id: started.id, status: started.status });
    return 0;
  }
  const shown = new Map<string, string>();
  for (;;) {
    const run = await client.call('runs:get', { id: started.id });
    for (const s of run.steps) {
      if (shown.get(s.stepId) === s.status) continue;
      shown.set(s.stepId, s.status);
      out.note(`step ${s.stepId} (${s.kind}): ${s.status}${s.error ? ` — ${s.error.message}` : ''}`);
    }
    if (TERMINAL.has(run.status)) {
      out.record({ id: run.id, status: run.status, durationMs: run.durationMs, error: run.error?.message ?? null });
      return run.status === 'succeeded' ? 0 : 1;
    }
    if (o.signal.aborted) throw new CliError('CANCELLED', `stopped waiting; the run ${run.id} goes on (provenanceone workflows run … does not cancel it)`);
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
}
