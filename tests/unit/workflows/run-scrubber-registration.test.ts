import { describe, expect, it } from 'vitest';
import { SCRUBBED, createRunScrubber } from '@core/workflows/run-scrubber';

// What a registration changes and what it must not: the scrubber's own tests are in run-scrubber.test.ts.
describe('run scrubber: registration', () => {
  function nested(levels: number): unknown {
    let v: unknown = { leaf: 'plain text', n: 1 };
    for (let i = 0; i < levels; i++) v = i % 2 ? { k: v } : [v];
    return v;
  }

  it('with nothing registered, an output deeper than 200 levels is kept as it is: there is nothing to hide in it', () => {
    const s = createRunScrubber();
    const deep = nested(205);
    expect(s.value(deep)).toEqual(nested(205));
    expect(JSON.stringify(s.value(deep))).not.toContain(SCRUBBED);
  });

  it('once a value is registered, the same deep output is masked below 200 levels', () => {
    const s = createRunScrubber();
    s.add('unrelated-secret');
    expect(JSON.stringify(s.value(nested(205)))).toContain(`"${SCRUBBED}"`);
  });

  it('an empty value registered masks nothing, in text or in values', () => {
    const s = createRunScrubber();
    s.add('');
    expect(s.text('abc')).toBe('abc');
    expect(s.value({ abc: ['abc'] })).toEqual({ abc: ['abc'] });
    s.add('b');
    s.add('');
    expect(s.text('abc')).toBe(`a${SCRUBBED}c`);
  });

  it('registering a value again, after a longer value containing it, still masks the longer one whole', () => {
    const s = createRunScrubber();
    s.add('abc');
    s.add('xabcx');
    s.add('abc');
    expect(s.text('[xabcx] [abc]')).toBe(`[${SCRUBBED}] [${SCRUBBED}]`);
    expect(s.value({ xabcx: 'xabcx', abc: 'abc' })).toEqual({ [SCRUBBED]: SCRUBBED });
  });

  it('a value the mask itself contains is masked once, whether it is registered once or twice', () => {
    const s = createRunScrubber();
    s.add('*');
    expect(s.text('a*b')).toBe(`a${SCRUBBED}b`);
    s.add('*');
    expect(s.text('a*b')).toBe(`a${SCRUBBED}b`);
    expect(s.text('a**b')).toBe(`a${SCRUBBED}${SCRUBBED}b`);
  });

  it('a value registered after text was scrubbed masks only what comes after', () => {
    const s = createRunScrubber();
    s.add('first');
    expect(s.text('first second')).toBe(`${SCRUBBED} second`);
    s.add('second');
    expect(s.text('first second')).toBe(`${SCRUBBED} ${SCRUBBED}`);
  });
});
