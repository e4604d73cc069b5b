import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, LAUNCHER, removeCliBuild } from './cli-harness';

/**
 * The REST path must start fast: the CLI's entry bundle imports Node's modules and commander only; the core (and with
 * it better-sqlite3 and the AWS SDK) sits in chunks loaded by --data-dir alone.
 */
let entry: string;
beforeAll(async () => {
  entry = await ensureCliBuilt();
}, 60_000);
afterAll(removeCliBuild);

describe('the CLI bundle', () => {
  it('statically imports nothing of the core, SQLite or the AWS SDK', () => {
    const code = fs.readFileSync(entry, 'utf8');
    const statics = [...code.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    expect(statics.filter((s) => !s.startsWith('node:'))).toEqual(['commander']);
    const lazy = [...code.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
    expect(lazy.some((s) => s.includes('local-client'))).toBe(true);
    // The core's chunk exists, and only the lazy path reaches it.
    const chunks = fs.readdirSync(path.join(path.dirname(entry), 'chunks'));
    expect(chunks.some((c) => c.startsWith('core-'))).toBe(true);
  });

  it('--help and --version work through the launcher; without a bundle it says to build, in one line', () => {
    const launcher = path.join(path.dirname(entry), 'launcher.mjs');
    expect(spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8' })).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: provenanceone/) });
    expect(spawnSync(process.execPath, [launcher, '--version'], { encoding: 'utf8' }).status).toBe(0);
    const copy = path.join(path.dirname(entry), 'missing-launcher.mjs');
    fs.writeFileSync(copy, fs.readFileSync(LAUNCHER, 'utf8').replace('../out/cli/provenanceone.js', './no-such-bundle.js'));
    try {
      const r = spawnSync(process.execPath, [copy, '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('error UNAVAILABLE: the CLI is not built yet; run `npm run build` in the ProvenanceOne checkout\n');
    } finally {
      fs.rmSync(copy, { force: true });
    }
  });
});
