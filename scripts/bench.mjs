// `npm run bench`: builds, then runs every bench/*.bench.mjs in turn. Each prints JSON lines
// {"bench","metric","value","reference","ratio","target","pass"}; this collects them in bench/results/latest.json
// and prints a table. Targets are ratios against a reference tool run side by side, never absolute timings.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const only = process.argv[2];
const b = spawnSync('npx', ['electron-vite', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (b.status !== 0) process.exit(1);
spawnSync('node', ['scripts/native-abi.mjs', 'node'], { stdio: 'inherit' });
const files = fs.readdirSync('bench').filter((f) => f.endsWith('.bench.mjs') && (!only || f.includes(only))).sort();
const results = [];
let failed = 0;
for (const f of files) {
  console.log(`\n▶ ${f}`);
  const r = spawnSync('bash', ['scripts/with-keyring.sh', 'node', path.join('bench', f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) {
      if (line.trim()) console.log(`  ${line}`);
      continue;
    }
    const row = JSON.parse(line);
    results.push(row);
    if (row.pass === false) failed++;
    // Rows without a target (references, memory reports, breakdowns) are shown with a dot and are not counted.
    const mark = row.pass === false ? '✗' : row.pass === true ? '✓' : '·';
    if (row.metric === undefined) {
      // A bench that reports one summary object (e.g. the OAuth rotation simulation): show its fields as they are.
      const { bench: _b, pass: _p, ...fields } = row;
      console.log(`  ${mark} ${JSON.stringify(fields)}`);
    } else {
      console.log(`  ${mark} ${row.metric}: ${row.value}${row.unit ?? ''}${row.ratio !== undefined ? `  ratio ${row.ratio}${row.target ? ` (target ${row.target})` : ''}` : ''}`);
    }
  }
  if (r.status !== 0) {
    failed++;
    console.log(`  ✗ ${f} exited with ${r.status}`);
  }
}
fs.mkdirSync('bench/results', { recursive: true });
fs.writeFileSync('bench/results/latest.json', JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
const met = results.filter((row) => row.pass === true).length;
console.log(`\n${met} targets met, ${failed} missed (details: bench/results/latest.json)`);
process.exit(failed ? 1 : 0);
