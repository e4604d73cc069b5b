import jsonata from 'jsonata';
import type { TransformStepConfig } from '@shared/domain/workflow';
import { contextOf } from '../step-resolver';
import { StepError, type StepKindModule } from '../step-kind';

/**
 * JSONata's own guardrails (options `timeout`, `stack`, `sequence`): it evaluates on promises, so a runaway expression
 * (`($f := function(){ $f() }; $f())`) never yields to a timer and only a check inside the evaluation can stop it.
 */
export type TransformGuard = { timeoutMs: number; maxDepth: number; maxSequence: number };
export const DEFAULT_TRANSFORM_GUARD: TransformGuard = { timeoutMs: 5_000, maxDepth: 500, maxSequence: 1_000_000 };

/**
 * The transform kind: a JSONata expression (no `eval`: JSONata is its own interpreter) evaluated over
 * `{steps: {<id>: {output}}, context, inputs}`; its result is the step's output. Compiled expressions are cached per
 * text (a 200-step workflow of one expression compiles once).
 */
export function createTransformStepKind(opts: { guard?: Partial<TransformGuard> } = {}): StepKindModule<TransformStepConfig> & {
  evaluate(expression: string, input: unknown, signal?: AbortSignal): Promise<unknown>;
} {
  const guard = { ...DEFAULT_TRANSFORM_GUARD, ...opts.guard };
  const compiled = new Map<string, jsonata.Expression>();

  function compile(expression: string): jsonata.Expression {
    let e = compiled.get(expression);
    if (!e) {
      try {
        e = jsonata(expression, { timeout: guard.timeoutMs, stack: guard.maxDepth, sequence: guard.maxSequence });
      } catch (err) {
        throw new StepError('INVALID_INPUT', `expression is not valid JSONata: ${(err as { message?: string }).message ?? 'syntax error'}`);
      }
      if (compiled.size > 500) compiled.clear();
      compiled.set(expression, e);
    }
    return e;
  }

  async function evaluate(expression: string, input: unknown, signal: AbortSignal = new AbortController().signal): Promise<unknown> {
    const expr = compile(expression);
    signal.throwIfAborted();
    try {
      const out: unknown = await expr.evaluate(input);
      return out === undefined ? null : out;
    } catch (err) {
      if (err instanceof StepError || signal.aborted) throw err;
      const e = err as { code?: string; message?: string };
      if (e.code === 'D1011' || e.code === 'D1012' || e.code === 'D2015') {
        throw new StepError('TRANSFORM_LIMIT', `expression stopped by its guard (${e.code}: ${e.code === 'D1011' ? `nested deeper than ${guard.maxDepth}` : e.code === 'D1012' ? `ran longer than ${guard.timeoutMs} ms` : `built a sequence longer than ${guard.maxSequence}`})`);
      }
      throw new StepError('TRANSFORM_FAILED', `expression failed${e.code ? ` (${e.code})` : ''}: ${e.message ?? 'evaluation error'}`);
    }
  }

  return {
    kind: 'transform',
    references: () => ({}),
    evaluate,
    async run(config, ctx) {
      const steps: Record<string, { output: unknown }> = {};
      for (const [id, output] of ctx.outputs) steps[id] = { output };
      const input = { steps, context: contextOf(ctx.needed), inputs: ctx.inputs };
      return { output: await evaluate(config.expression, input, ctx.signal) };
    },
  };
}
