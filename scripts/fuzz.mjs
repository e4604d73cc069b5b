// `npm run fuzz [-- <vitest options>]`: the property-based fuzz suite (tests/integration/fuzz) with many more cases
// per route and channel than CI runs (FUZZ_RUNS, default 500 here, 3 in `npm test`). Replay a failure with the
// FUZZ_SEED (and FUZZ_PATH) its report prints, e.g. `FUZZ_SEED=123 npm run fuzz -- -t "POST /secrets"`.
// Needs no keychain: the fuzz bench keeps the vault's key in memory.
import { spawnSync } from 'node:child_process';

spawnSync('node', ['scripts/native-abi.mjs', 'node'], { stdio: 'inherit' });
const env = { ...process.env, FUZZ_RUNS: process.env.FUZZ_RUNS || '500' };
console.log(`fuzz: ${env.FUZZ_RUNS} cases per route and channel${env.FUZZ_SEED ? `, seed ${env.FUZZ_SEED}` : ''}`);
const r = spawnSync('npx', ['vitest', 'run', 'tests/integration/fuzz', ...process.argv.slice(2)], { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
