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

describe('run scrubber: each form, order and bound', () => {
  it('catches the unpadded base64 of a value with two padding characters, and base64url where it differs', () => {
    const s = createRunScrubber();
    s.add('abcd'); // YWJjZA==
    expect(s.text('x YWJjZA y')).toBe('x *** y');
    const u = createRunScrubber();
    u.add('>>>???'); // base64 Pj4+Pz8/, base64url Pj4-Pz8_
    expect(u.text('x Pj4-Pz8_ y')).toBe('x *** y');
    const both = createRunScrubber();
    both.add('>>>?'); // base64 Pj4+Pw==: unpadded Pj4+Pw, which base64url (Pj4-Pw) does not cover
    expect(both.text('x Pj4+Pw y')).toBe('x *** y');
  });

  it('catches the form encodings that differ: spaces as + with ! kept, and URLSearchParams (! as %21)', () => {
    const s = createRunScrubber();
    s.add('a b!c');
    expect(s.text('q=a+b!c&')).toBe('q=***&');
    expect(s.text('q=a+b%21c&')).toBe('q=***&');
  });

  it('masks the longer value whole whatever the order the values came in', () => {
    const s = createRunScrubber();
    s.add('abc');
    s.add('xabcx');
    expect(s.text('[xabcx]')).toBe('[***]');
  });

  it('with nothing registered changes nothing; ignores values that are not text; registering twice changes nothing', () => {
    const s = createRunScrubber();
    expect(s.text('Stryker was here')).toBe('Stryker was here');
    expect(s.value({ a: 'Stryker was here' })).toEqual({ a: 'Stryker was here' });
    expect(() => s.add(42 as never)).not.toThrow();
    expect(() => s.add(undefined as never)).not.toThrow();
    expect(s.size).toBe(0);
    s.add('secret-value');
    const n = s.size;
    s.add('secret-value');
    expect(s.size).toBe(n);
  });

  it('an output nested deeper than 200 levels is masked whole below that depth, never kept as it is', () => {
    const s = createRunScrubber();
    s.add('deep-secret');
    let v: unknown = { leaf: 'deep-secret', keep: 'plain' };
    for (let i = 0; i < 205; i++) v = i % 2 ? { k: v } : [v];
    const out = JSON.stringify(s.value(v));
    expect(out).not.toContain('deep-secret');
    expect(out).not.toContain('plain');
    expect(out).toContain('"***"');
    // 200 levels are walked: the leaf is scrubbed in place, its neighbour kept.
    let shallow: unknown = { leaf: 'deep-secret', keep: 'plain' };
    for (let i = 0; i < 200; i++) shallow = i % 2 ? { k: shallow } : [shallow];
    const kept = JSON.stringify(s.value(shallow));
    expect(kept).toContain('"leaf":"***","keep":"plain"');
  });

  it('caps at the exact size, names the type of a summarised output, keeps a 1024-character head', () => {
    const json = JSON.stringify({ a: 'x'.repeat(10) });
    expect(capOutput({ a: 'x'.repeat(10) }, Buffer.byteLength(json))).toEqual({ json, truncated: false });
    expect(JSON.parse(capOutput({ a: 'x'.repeat(10) }, Buffer.byteLength(json) - 1).json)).toMatchObject({ truncated: true, type: 'object', bytes: json.length });
    expect(JSON.parse(capOutput(null, 2).json)).toMatchObject({ type: 'null' });
    expect(JSON.parse(capOutput('a long text', 4).json)).toMatchObject({ type: 'string' });
    expect(JSON.parse(capOutput(['y'.repeat(5000)], 100).json).head).toHaveLength(1024);
    expect(capOutput(() => 1)).toEqual({ json: 'null', truncated: false });
  });
});
