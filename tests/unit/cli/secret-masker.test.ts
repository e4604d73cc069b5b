import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker, maskedForms } from '../../../electron/cli/secret-masker';
import { exitCodeOf, parseEnvFile } from '../../../electron/cli/exec-command';
import { exitCodeFor, formatError, CliError } from '../../../electron/cli/cli-error';
import { parseReference } from '../../../electron/cli/references';
import { planUploads, parseDsUrl } from '../../../electron/cli/datastores-command';

async function mask(values: string[], chunks: Array<string | Buffer>): Promise<string> {
  const out: Buffer[] = [];
  const m = createMasker(maskedForms(values));
  m.on('data', (b: Buffer) => out.push(b));
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks.map((c) => Buffer.from(c))).pipe(m).on('end', resolve).on('error', reject);
  });
  return Buffer.concat(out).toString('utf8');
}

describe('the streaming masker', () => {
  const v = 's3cr3t-Value/with+chars=';

  it('masks the value, its base64 (with and without padding), base64url and URL-encoded forms', async () => {
    const b64 = Buffer.from(v).toString('base64');
    const text = `a ${v} b ${b64} c ${b64.replace(/=+$/, '')} d ${Buffer.from(v).toString('base64url')} e ${encodeURIComponent(v)} f`;
    expect(await mask([v], [text])).toBe('a *** b *** c *** d *** e *** f');
  });

  it('catches a value split across chunks at every position, and passes other bytes through unchanged', async () => {
    const text = `before ${v} middle ${v}${v} after`;
    for (let i = 0; i <= text.length; i++) {
      expect(await mask([v], [text.slice(0, i), text.slice(i)])).toBe('before *** middle ****** after');
    }
    expect(await mask([v], [...text].map((c) => c))).toBe('before *** middle ****** after');
  });

  it('for any text cut into any chunks, the output is the text with each value replaced (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 0, maxLength: 40 }), fc.array(fc.nat(60), { maxLength: 6 }), async (noise, cuts) => {
        const clean = noise.replaceAll('s3cr3t', '');
        const text = `${clean}${v}${clean}`;
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let last = 0;
        for (const p of points) {
          chunks.push(text.slice(last, p));
          last = p;
        }
        chunks.push(text.slice(last));
        expect(await mask([v], chunks)).toBe(`${clean}***${clean}`);
      }),
      { numRuns: 200 },
    );
  });

  it('holds back only a tail that could still become a value: a prompt without a newline goes out at once', async () => {
    const m = createMasker(maskedForms([v]));
    const got: string[] = [];
    m.on('data', (b: Buffer) => got.push(b.toString()));
    m.write(Buffer.from('Password: '));
    await new Promise((r) => setImmediate(r));
    expect(got.join('')).toBe('Password: ');
    m.write(Buffer.from('xx s3cr'));
    await new Promise((r) => setImmediate(r));
    expect(got.join('')).toBe('Password: xx ');
    m.end(Buffer.from('3t'));
    await new Promise((r) => m.on('end', r).resume());
    expect(got.join('')).toBe('Password: xx s3cr3t');
  });

  it('masks the string leaves of a JSON object value too', async () => {
    const json = JSON.stringify({ user: 'svc', password: 'leaf-password-123' });
    expect(await mask([json], [`pw=leaf-password-123 user=svc all=${json}`])).toBe('pw=*** user=svc all=***');
  });
});

describe('exec helpers', () => {
  it('exit codes: the child\'s, or 128 + the signal number', () => {
    expect(exitCodeOf(7, null)).toBe(7);
    expect(exitCodeOf(null, 'SIGINT')).toBe(130);
    expect(exitCodeOf(null, 'SIGTERM')).toBe(143);
    expect(exitCodeOf(null, 'SIGHUP')).toBe(129);
  });

  it('env file templates', () => {
    const a = parseEnvFile('# c\nexport A="provenance://secrets/db%20pass"\nB=plain\n\nC=\'provenance://connections/x\'\n', 'f');
    expect(a.map((x) => [x.name, x.ref])).toEqual([
      ['A', { kind: 'secrets', ref: 'db pass' }],
      ['B', null],
      ['C', { kind: 'connections', ref: 'x' }],
    ]);
    expect(() => parseEnvFile('1BAD=x', 'f')).toThrow(/f:1: 1BAD is not a valid environment variable name/);
    expect(() => parseEnvFile('novalue', 'f')).toThrow(/f:1: expected NAME=value/);
    expect(parseReference('provenance://elsewhere/x')).toBeNull();
  });
});

describe('errors and exit codes', () => {
  it('maps API codes to the documented exit codes', () => {
    expect(['USAGE', 'INVALID_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'VAULT_LOCKED', 'BUSY'].map(exitCodeFor)).toEqual([2, 2, 3, 4, 4, 5, 1]);
    expect(formatError(new CliError('NOT_FOUND', 'a\nb'))).toEqual({ line: 'error NOT_FOUND: a b', exitCode: 3 });
    // A library's message is never shown (it may quote input).
    expect(formatError(new TypeError('secret-looking text'))).toEqual({ line: 'error INTERNAL: the CLI failed unexpectedly (TypeError)', exitCode: 1 });
  });
});

describe('cp planning', () => {
  it('ds:// URLs', () => {
    expect(parseDsUrl('ds://files/a/b.txt')).toEqual({ datastore: 'files', key: 'a/b.txt' });
    expect(parseDsUrl('ds://files')).toEqual({ datastore: 'files', key: '' });
    expect(parseDsUrl('/tmp/x')).toBeNull();
  });
  it('a missing source is NOT_FOUND; several files need a folder destination', () => {
    expect(() => planUploads(['/nonexistent-p1-cli'], 'x/')).toThrow(/no such file or folder/);
    expect(() => planUploads([import.meta.filename, import.meta.filename], 'x')).toThrow(/destination ending in \//);
  });
});
