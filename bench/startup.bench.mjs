// Start-up: the headless console on an EXISTING data dir answers /health within 1 s (reported as a ratio to a bare
// `node -e ""` start measured beside it), the built renderer reaches its first screen in headless Chromium within
// 1.5× the time Chromium takes to show about:blank, and the headless process's peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const emit = (row) => console.log(JSON.stringify({ bench: 'startup', ...row }));

function startServe(dataDir, extraArgs = []) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['out/main/headless.js', '--data-dir', dataDir, '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stderr.on('data', () => {});
    child.stdout.on('data', async (b) => {
      out += b;
      const m = /console ready: (\S+)/.exec(out);
      if (!m || child.ready) return;
      child.ready = true;
      const url = m[1];
      const origin = new URL(url).origin;
      for (;;) {
        const r = await fetch(`${origin}/health`).catch(() => null);
        if (r?.ok) break;
      }
      resolve({ child, url, ms: performance.now() - t0 });
    });
    child.on('exit', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
  });
}
const stop = (child) => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
const peakRss = (pid) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-bench-'));
const first = await startServe(dataDir); // creates the database and the vault: later runs start on an existing dir
await stop(first.child);

const serveMs = [];
const nodeMs = [];
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  spawnSync(process.execPath, ['-e', '']);
  nodeMs.push(performance.now() - t);
  const s = await startServe(dataDir);
  serveMs.push(s.ms);
  await stop(s.child);
}
const serve = median(serveMs);
const bare = median(nodeMs);
emit({ metric: 'serve /health on an existing data dir (median ms)', value: Math.round(serve), unit: ' ms', reference: Math.round(bare), ratio: +(serve / bare).toFixed(2), target: '≤ 1000 ms', pass: serve <= 1000 });

const s = await startServe(dataDir);
// A reference, not a target: the least any first screen costs here. A static page with the loaded marker in its
// HTML and the app's stylesheet, served by a second console (--renderer-dir) and measured in the same loop. What the
// app takes above it is the app's own script: download, parse, evaluation, the first round trip, React's render.
const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-bench-static-'));
fs.mkdirSync(path.join(staticDir, 'assets'));
const css = fs.readdirSync('out/renderer/assets').filter((f) => /\.css$/.test(f));
for (const f of css) fs.copyFileSync(path.join('out/renderer/assets', f), path.join(staticDir, 'assets', f));
fs.writeFileSync(
  path.join(staticDir, 'index.html'),
  `<!doctype html><html lang="en"><head><meta charset="UTF-8" /><title>ProvenanceOne</title><link rel="icon" href="data:," />
${css.map((f) => `<link rel="stylesheet" href="./assets/${f}">`).join('')}</head><body><div id="root"><div class="app" data-app-state="loaded">
<nav class="sidebar"><div class="brand">ProvenanceOne</div></nav><main class="content"><h1>Set up the vault</h1>
<p class="muted">Secrets and credentials are encrypted under a master key. Choose where it lives.</p></main></div></div></body></html>`,
);
const st = await startServe(dataDir, ['--renderer-dir', staticDir]);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const blank = [];
const app = [];
const floor = [];
// Both arms open a fresh context and tab, so each pays for a new renderer process, as a user opening the console does.
// Both are observed the same way, by a DOM query once navigation has committed (about:blank's <body>, the app's
// loaded marker): Playwright's first query in a fresh page injects its selector engine (≈200 ms here), a cost of the
// measuring tool that would otherwise be charged to the app's arm alone.
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  let ctx = await browser.newContext();
  let page = await ctx.newPage();
  await page.goto('about:blank');
  await page.waitForSelector('body', { state: 'attached' });
  blank.push(performance.now() - t);
  await ctx.close();
  t = performance.now();
  ctx = await browser.newContext();
  page = await ctx.newPage();
  await page.goto(s.url);
  await page.waitForSelector('[data-app-state="loaded"]');
  app.push(performance.now() - t);
  await ctx.close();
  t = performance.now();
  ctx = await browser.newContext();
  page = await ctx.newPage();
  await page.goto(st.url);
  await page.waitForSelector('[data-app-state="loaded"]');
  floor.push(performance.now() - t);
  await ctx.close();
}
await browser.close();
await stop(st.child);
fs.rmSync(staticDir, { recursive: true, force: true });
const blankMs = median(blank);
const appMs = median(app);
emit({ metric: 'reference: a static page with the marker vs about:blank (median ms)', value: Math.round(median(floor)), unit: ' ms', reference: Math.round(blankMs), ratio: +(median(floor) / Math.max(blankMs, 1)).toFixed(2) });
emit({ metric: 'renderer first screen vs about:blank (median ms)', value: Math.round(appMs), unit: ' ms', reference: Math.round(blankMs), ratio: +(appMs / Math.max(blankMs, 1)).toFixed(2), target: '≤ 1.5× about:blank', pass: appMs <= 1.5 * blankMs });
// Second reading of the same target: a cold Chromium start showing about:blank vs a cold start showing the console's
// first screen (what an admin who opens the printed URL waits for). Both readings are reported; neither replaces the other.
const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const coldBlank = [];
const coldApp = [];
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  let br = await chromium.launch({ executablePath: '/usr/bin/chromium', args: launchArgs });
  const bp = await br.newPage();
  await bp.goto('about:blank');
  await bp.waitForSelector('body', { state: 'attached' });
  coldBlank.push(performance.now() - t);
  await br.close();
  t = performance.now();
  br = await chromium.launch({ executablePath: '/usr/bin/chromium', args: launchArgs });
  const p = await br.newPage();
  await p.goto(s.url);
  await p.waitForSelector('[data-app-state="loaded"]');
  coldApp.push(performance.now() - t);
  await br.close();
}
const coldBlankMs = median(coldBlank);
const coldAppMs = median(coldApp);
emit({ metric: 'cold Chromium start to first screen vs to about:blank (median ms)', value: Math.round(coldAppMs), unit: ' ms', reference: Math.round(coldBlankMs), ratio: +(coldAppMs / coldBlankMs).toFixed(2), target: '≤ 1.5× about:blank', pass: coldAppMs <= 1.5 * coldBlankMs });
emit({ metric: 'headless process peak RSS', value: Math.round(peakRss(s.child.pid)), unit: ' MB' });
await stop(s.child);
fs.rmSync(dataDir, { recursive: true, force: true });
