// Passphrase unlock vs the raw KDF it is built on, measured side by side in one run.
// Budget (issue 4): unlock ≤ 1.2 × raw scrypt (same parameters) + 50 ms. Prints one JSON line.
// Run: npm run bench vault, or node bench/vault-unlock.bench.mjs [rounds] (loads the TypeScript core through jiti;
// loading is not timed)
import { scrypt, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const jiti = createJiti(import.meta.url, { alias: { '@core': `${root}/electron/core`, '@shared': `${root}/shared` } });
const { createCore, localActor } = await jiti.import(`${root}/electron/core/index.ts`);
const { DEFAULT_KDF } = await jiti.import(`${root}/electron/core/vault/kdf.ts`);

const rounds = Number(process.argv[2] ?? 5);
const passphrase = 'benchmark passphrase for the vault';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-bench-vault-'));
const noKeychain = { kind: 'none', get: async () => null, set: async () => {}, delete: async () => false };
const core = createCore({ dataDir, mode: 'headless', version: 'bench', localUser: 'bench' }, { keyStore: noKeychain });
const actor = localActor(core.config);
await core.vault.initializeWithPassphrase(passphrase, actor);

const { N, r, p } = DEFAULT_KDF;
const rawScrypt = () =>
  new Promise((resolve, reject) =>
    scrypt(passphrase, randomBytes(16), 32, { N, r, p, maxmem: 2 * 128 * N * r * p + 1024 * 1024 }, (e, k) => (e ? reject(e) : resolve(k))),
  );
const time = async (fn) => {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm-up, then interleave so both see the same machine load.
await rawScrypt();
const raw = [];
const unlock = [];
for (let i = 0; i < rounds; i++) {
  raw.push(await time(rawScrypt));
  core.vault.lock(actor);
  unlock.push(await time(() => core.vault.unlockWithPassphrase(passphrase, actor)));
}
core.close();
fs.rmSync(dataDir, { recursive: true, force: true });

const rawMs = median(raw);
const unlockMs = median(unlock);
const budgetMs = 1.2 * rawMs + 50;
// One row in the format scripts/bench.mjs collects; `ratio` is unlock / raw scrypt, the target is the budget.
console.log(
  JSON.stringify({
    bench: 'vault-unlock',
    metric: 'passphrase unlock vs raw scrypt (N=2^' + Math.log2(N) + `, r=${r}, p=${p})`,
    value: +unlockMs.toFixed(1),
    unit: ' ms',
    reference: +rawMs.toFixed(1),
    ratio: +(unlockMs / rawMs).toFixed(3),
    target: `≤ 1.2 × reference + 50 ms = ${budgetMs.toFixed(1)} ms`,
    pass: unlockMs <= budgetMs,
    rounds,
  }),
);
