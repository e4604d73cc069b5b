import { describe, expect, it } from 'vitest';
import { contextOf, resolveConfig, type ResolveScope } from '@core/workflows/step-resolver';
import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';
import { AppError } from '@core/errors';
import { StepError } from '@core/workflows/step-kind';

/** The resolver's edges: paths, text interpolation of each type, secret references, depth, context. */
const scope: ResolveScope = {
  steps: new Map<string, unknown>([['a', { n: 2, z: null, list: Array.from({ length: 12 }, (_, i) => ({ v: `item${i}` })), obj: { k: 'v' }, yes: true }]]),
  context: { fileContent: 'csv' },
  inputs: { region: 'eu' },
};
const noSecret = () => {
  throw new Error('no secret expected');
};
const resolve = (v: unknown) => resolveConfig(v, scope, noSecret, () => {});
const thrown = (fn: () => unknown): StepError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StepError);
    return e as StepError;
  }
  throw new Error('expected a throw');
};

describe('step resolver paths', () => {
  it('indexes of more than one digit, spaces around the dots, own properties only, through null and text', () => {
    expect(resolve('{{ steps.a.output.list[10].v }}')).toBe('item10');
    expect(resolve('{{ steps.a.output . n }}')).toBe(2);
    expect(resolve('{{ steps.a.output.z.q }}')).toBeNull();
    expect(resolve('{{ steps.a.output.constructor }}')).toBeNull();
    expect(resolve('{{ inputs.region.length }}')).toBeNull();
    expect(resolve('{{ steps.a.output.n.x }}')).toBeNull();
  });

  it('names what is wrong, exactly', () => {
    expect(thrown(() => resolve('{{ inputs.a b }}'))).toMatchObject({ code: 'INVALID_INPUT', message: 'template {{ inputs.a b }} is not a path (steps.<id>.output…, context.…, inputs.<name>)' });
    expect(thrown(() => resolve('{{ steps.a.output.ok.x y }}')).message).toBe('template {{ steps.a.output.ok.x y }} is not a path (steps.<id>.output…, context.…, inputs.<name>)');
    expect(thrown(() => resolve('{{ steps.b.output }}'))).toMatchObject({ code: 'INVALID_INPUT', message: 'template {{ steps.b.output }}: step "b" is not a step this one needs (add it to needs)' });
    expect(thrown(() => resolve('{{ steps }}'))).toMatchObject({ code: 'INVALID_INPUT', message: 'template {{ steps }}: step "" is not a step this one needs (add it to needs)' });
    expect(thrown(() => resolve('{{ steps.a.oops }}'))).toMatchObject({ code: 'INVALID_INPUT', message: 'template {{ steps.a.oops }}: write steps.a.output…' });
    expect(thrown(() => resolve('{{ env.HOME }}'))).toMatchObject({ code: 'INVALID_INPUT', message: 'template {{ env.HOME }} must start with steps., context. or inputs.' });
  });
});

describe('step resolver text', () => {
  it('writes each type into text: nothing for null and missing, JSON for objects, as is for the rest', () => {
    expect(resolve('[{{ steps.a.output.z }}|{{ inputs.none }}|{{ steps.a.output.obj }}|{{ steps.a.output.n }}|{{ steps.a.output.yes }}|{{ inputs.region }}]')).toBe('[||{"k":"v"}|2|true|eu]');
  });

  it('keeps values that are not text as they are', () => {
    expect(resolve({ n: 5, b: false, z: null, s: 'plain', list: [1, 'two'] })).toEqual({ n: 5, b: false, z: null, s: 'plain', list: [1, 'two'] });
  });
});

describe('step resolver secrets', () => {
  it('only an object with exactly one text $secret is a reference', () => {
    const read = (id: string) => `value-of-${id}`;
    expect(resolveConfig({ a: { $secret: 5 }, b: { $secret: 's', x: 1 }, c: [{ $secret: 's' }] }, scope, read, () => {})).toEqual({
      a: { $secret: 5 },
      b: { $secret: 's', x: 1 },
      c: ['value-of-s'],
    });
  });

  it('an unknown id is the docs message (NOT_FOUND); any other error of the reader is passed on as it is', () => {
    const e = thrown(() => resolveConfig({ $secret: 'gone' }, scope, () => {
      throw new AppError('NOT_FOUND', 'x');
    }, () => {}));
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: RUN_MESSAGES.secretNotFound('gone') });
    const locked = new AppError('VAULT_LOCKED', 'the vault is locked');
    expect(() => resolveConfig({ $secret: 'id' }, scope, () => {
      throw locked;
    }, () => {})).toThrow(locked);
  });
});

describe('step resolver depth', () => {
  const nest = (levels: number): unknown => {
    let v: unknown = 'leaf';
    for (let i = 0; i < levels; i++) v = i % 2 ? { k: v } : [v];
    return v;
  };
  it('100 levels resolve; 101 are refused', () => {
    expect(resolve(nest(100))).toEqual(nest(100));
    expect(thrown(() => resolve(nest(101)))).toMatchObject({ code: 'INVALID_INPUT', message: 'config is nested too deeply' });
  });
});

describe('context', () => {
  it('only object outputs are merged; no fileContent key when none has one', () => {
    const ctx = contextOf([{ output: [1, 2] }, { output: null }, { output: 'text' }, { output: { a: 1 } }]);
    expect(ctx).toStrictEqual({ a: 1 });
    expect('fileContent' in ctx).toBe(false);
  });
});
