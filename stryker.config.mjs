// Mutation testing (`npm run mutate`, not part of CI: slow on 2 cores). It plants small bugs in the security- and
// data-critical modules one at a time and runs the tests that cover each; a mutant the suite does not catch
// ("survived") is a test that does not bite. Incremental: only mutants in changed code or covered by changed tests
// run again (reports/stryker-incremental[-<group>].json). Reports are written under reports/ (ignored by git).
// MUTATE=<glob,glob> narrows the run to some modules, e.g. MUTATE='electron/core/access/**/*.ts'. README's "Mutation
// testing" says how to run a group; docs/mutation-testing.md has the groups, their test sets, the last scores and the
// equivalent survivors. Stryker 10 needs Node >= 22 (see README).
const CRITICAL = [
  'electron/core/access/**/*.ts',
  'shared/access/policy.ts',
  'electron/core/vault/{envelope,vault-service,kdf}.ts',
  'electron/core/secrets/secret-service.ts',
  'electron/core/connections/connection-service.ts',
  'electron/core/datastores/backends/{filesystem-backend,chunked-cipher}.ts',
  'electron/core/datastores/{upload-grant-service,upload-grant-token,datastore-guard}.ts',
  'electron/core/oauth/oauth-token-service.ts',
  'electron/core/identity/{user-service,api-key-service,token-service,login-throttle,password-hasher}.ts',
  // Workflows: a step's execution (attempts, retries, scrubbing before anything is stored), the scrubber, the resolution
  // of templates and secrets, and the save-time validation and reference checks of a definition.
  'electron/core/workflows/{runner,run-scrubber,step-resolver,workflow-validation,workflow-references}.ts',
  // The encoded forms of a secret the scrubber (and the CLI's masker) also hides.
  'shared/domain/secret-forms.ts',
];

// MUTATE_GROUP=<name> keeps that group's incremental file and report apart (a run over one group would otherwise
// replace the others' results); MUTATE_TESTS=<glob,glob> limits the tests to a room's own (Stryker's testFiles), which
// keeps a group's dry run within minutes on a loaded machine; its score is then a floor for the whole suite's.
// Lists split at commas outside braces, so a glob may say {a,b}.
const list = (v) => v.split(/,(?![^{]*\})/).filter(Boolean);
const group = process.env.MUTATE_GROUP ? `-${process.env.MUTATE_GROUP}` : '';

export default {
  testRunner: 'vitest',
  // Stryker 9.6 (the last to support Node 20) runs vitest in worker threads; the core sets its umask only on the main thread.
  // MUTATE_FAST=1: vitest.mutate-fast.config.ts (one worker kept between runs), for in-process tests that share no state.
  vitest: { configFile: process.env.MUTATE_FAST ? 'vitest.mutate-fast.config.ts' : 'vitest.mutate.config.ts', related: true },
  // perTest: each mutant runs only the tests that reached it. (Tried: "all" gains nothing with 9.6's vitest runner, which
  // reports per-test coverage anyway, and it counts module-level constants' mutants as survived; docs/mutation-testing.md says more.)
  coverageAnalysis: 'perTest',
  mutate: process.env.MUTATE ? list(process.env.MUTATE) : CRITICAL,
  incremental: true,
  incrementalFile: `reports/stryker-incremental${group}.json`,
  ...(process.env.MUTATE_TESTS ? { testFiles: list(process.env.MUTATE_TESTS) } : {}),
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation${group}/index.html` },
  jsonReporter: { fileName: `reports/mutation${group}/mutation.json` },
  tempDirName: 'reports/.stryker-tmp',
  concurrency: 1,
  timeoutMS: 15_000,
  dryRunTimeoutMinutes: 30,
  ignoreStatic: true,
  thresholds: { high: 90, low: 80, break: null },
};
