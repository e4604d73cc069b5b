import { describe, expect, it } from 'vitest';
import { OUTPUT_CAP_BYTES, capOutput, createRunScrubber } from '@core/workflows/run-scrubber';
import { contextOf, resolveConfig } from '@core/workflows/step-resolver';
import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';
import { AppError } from '@core/errors';

describe('run scrubber', () => {
  it('masks a value in every promised form, in strings and keys, longest first', () => {
    const s = createRunScrubber();
    const v = 'p@ss word/+"x"';
    s.add(v);
    const forms = [
      v,
      Buffer.from(v).toString('base64'),
      Buffer.from(v).toString('base64').replace(/=+$/, ''),
      Buffer.from(v).toString('base64url'),
      encodeURIComponent(v),
      encodeURIComponent(v).replace(/%20/g, '+'),
      new URLSearchParams({ v }).toString().slice(2),
      JSON.stringify(v).slice(1, -1),
    ];
    for (const f of forms) expect(s.text(`before ${f} after`)).toBe('before *** after');
    expect(s.value({ [v]: [{ deep: `x${v}y` }], n: 1, ok: true, nil: null })).toEqual({ '***': [{ deep: 'x***y' }], n: 1, ok: true, nil: null });
    s.add('p@ss');
    expect(s.text(v)).toBe('***');
  });

  it('scrubs short values too, and ignores empty ones', () => {
    const s = createRunScrubber();
    s.add('');
    expect(s.size).toBe(0);
    s.add('ab');
    expect(s.text('cabd')).toBe('c***d');
  });

  it('caps big outputs as a summary', () => {
    expect(capOutput({ a: 1 })).toEqual({ json: '{"a":1}', truncated: false });
    const big = capOutput(['x'.repeat(OUTPUT_CAP_BYTES)]);
    expect(big.truncated).toBe(true);
    expect(JSON.parse(big.json)).toMatchObject({ truncated: true, type: 'array', bytes: OUTPUT_CAP_BYTES + 4 });
    expect(capOutput(undefined)).toEqual({ json: 'null', truncated: false });
  });
});

describe('step resolver', () => {
  const scope = { steps: new Map<string, unknown>([['a', { n: 2, list: [{ v: 'x' }] }]]), context: { fileContent: 'csv' }, inputs: { region: 'eu' } };
  const noSecret = () => {
    throw new Error('no secret expected');
  };

  it('keeps the type of an exact template and writes values into text', () => {
    expect(resolveConfig({ n: '{{ steps.a.output.n }}', t: 'n={{steps.a.output.n}} in {{ inputs.region }}', o: '{{ steps.a.output }}' }, scope, noSecret, () => {})).toEqual({
      n: 2,
      t: 'n=2 in eu',
      o: { n: 2, list: [{ v: 'x' }] },
    });
    expect(resolveConfig(['{{ steps.a.output.list[0].v }}', '{{ context.fileContent }}', '{{ inputs.none }}', 'x{{ inputs.none }}y'], scope, noSecret, () => {})).toEqual(['x', 'csv', null, 'xy']);
  });

  it('refuses paths outside steps/context/inputs and steps that are not needed', () => {
    expect(() => resolveConfig('{{ process.env }}', scope, noSecret, () => {})).toThrow('must start with steps., context. or inputs.');
    expect(() => resolveConfig('{{ steps.b.output }}', scope, noSecret, () => {})).toThrow('is not a step this one needs');
    expect(() => resolveConfig('{{ steps.a.oops }}', scope, noSecret, () => {})).toThrow('write steps.a.output');
  });

  it('injects each secret once, registers it, and maps an unknown id to the docs message', () => {
    const seen: string[] = [];
    let reads = 0;
    const read = (id: string) => {
      reads++;
      if (id === 'missing') throw new AppError('NOT_FOUND', 'secret missing in this workspace not found');
      return `value-of-${id}`;
    };
    expect(resolveConfig({ a: { $secret: 's1' }, b: [{ $secret: 's1' }], c: { $secret: 's1', other: 1 } }, scope, read, (v) => seen.push(v))).toEqual({
      a: 'value-of-s1',
      b: ['value-of-s1'],
      c: { $secret: 's1', other: 1 },
    });
    expect(reads).toBe(1);
    expect(seen).toEqual(['value-of-s1']);
    expect(() => resolveConfig({ $secret: 'missing' }, scope, read, () => {})).toThrow(RUN_MESSAGES.secretNotFound('missing'));
  });

  it('context merges the needed outputs, fileContent from the first that has one', () => {
    expect(contextOf([{ output: { fileContent: 'one', a: 1 } }, { output: { fileContent: 'two', b: 2 } }, { output: 'text' }])).toEqual({ fileContent: 'one', a: 1, b: 2 });
  });
});
