import { Transform } from 'node:stream';
import { encodedForms } from '@shared/domain/secret-forms';

const MASK = Buffer.from('***');

/**
 * The forms a value may take in a program's output: itself, base64 (standard, with and without padding), base64url,
 * and URL-encoded (encodeURIComponent; also with `+` for spaces, as forms encode). For a JSON object value, each of
 * its string leaves too (a program prints the field it uses).
 */
export function maskedForms(values: readonly string[]): Buffer[] {
  const forms = new Set<string>();
  const add = (v: string) => {
    if (v === '') return;
    for (const f of encodedForms(v)) forms.add(f);
  };
  for (const v of values) {
    add(v);
    if (v.startsWith('{')) {
      try {
        const leaves: string[] = [];
        const walk = (x: unknown) => {
          if (typeof x === 'string') leaves.push(x);
          else if (x && typeof x === 'object') Object.values(x).forEach(walk);
        };
        walk(JSON.parse(v));
        // Short leaves ("true", "us-east-1") would mask ordinary words; a leaf is masked from 8 characters.
        for (const l of leaves) if (l.length >= 8) add(l);
      } catch {
        // not JSON: the value as it is
      }
    }
  }
  // Longest first: where two forms match at one position, the longer one is masked whole.
  return [...forms].map((f) => Buffer.from(f, 'utf8')).sort((a, b) => b.length - a.length);
}

/**
 * A streaming masker: every occurrence of a form is written as `***`, also when it arrives split across chunks.
 * What must stay true: a byte is passed on only once no form can still match through it. So the tail of the data
 * seen so far is held back exactly while it is the start of some form (at most maxLen − 1 bytes), and the rest goes
 * out at once (a prompt without a newline is not delayed unless it ends in the start of a value).
 */
export function createMasker(forms: readonly Buffer[]): Transform {
  const live = forms.filter((f) => f.length > 0);
  const firstBytes = new Set(live.map((f) => f[0]!));
  const maxLen = live.reduce((m, f) => Math.max(m, f.length), 0);
  let held: Buffer = Buffer.alloc(0);

  /** Masks `data`; returns the bytes safe to pass on and the tail to hold. */
  function scan(data: Buffer, final: boolean): { out: Buffer; hold: Buffer } {
    const out: Buffer[] = [];
    let pos = 0;
    for (;;) {
      let at = -1;
      let len = 0;
      for (const f of live) {
        const i = data.indexOf(f, pos);
        if (i !== -1 && (at === -1 || i < at || (i === at && f.length > len))) {
          at = i;
          len = f.length;
        }
      }
      if (at === -1) break;
      out.push(data.subarray(pos, at), MASK);
      pos = at + len;
    }
    let cut = data.length;
    if (!final) {
      // The earliest position whose rest of the data is a proper prefix of a form: hold from there.
      for (let p = Math.max(pos, data.length - maxLen + 1); p < data.length; p++) {
        if (!firstBytes.has(data[p]!)) continue;
        const tail = data.subarray(p);
        if (live.some((f) => f.length > tail.length && f.subarray(0, tail.length).equals(tail))) {
          cut = p;
          break;
        }
      }
    }
    out.push(data.subarray(pos, cut));
    return { out: Buffer.concat(out), hold: Buffer.from(data.subarray(cut)) };
  }

  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!live.length) return done(null, chunk);
      const { out, hold } = scan(held.length ? Buffer.concat([held, chunk]) : chunk, false);
      held = hold;
      done(null, out.length ? out : undefined);
    },
    flush(done) {
      if (held.length) this.push(scan(held, true).out);
      held = Buffer.alloc(0);
      done();
    },
  });
}
