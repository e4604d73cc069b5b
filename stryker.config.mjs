// Mutation testing (`npm run mutate`, not part of CI: slow on 2 cores). It plants small bugs in the security- and
// data-critical modules one at a time and runs the tests that cover each; a mutant the suite does not catch
// ("survived") is a test that does not bite. Incremental: only mutants in changed code or covered by changed tests
// run again (reports/stryker-incremental.json). Reports are written under reports/ (ignored by git).
// MUTATE=<glob,glob> narrows the run to some modules, e.g. MUTATE='electron/core/access/**/*.ts'.
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
];

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', related: true },
  coverageAnalysis: 'perTest',
  mutate: process.env.MUTATE ? process.env.MUTATE.split(',') : CRITICAL,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: 'reports/.stryker-tmp',
  concurrency: 2,
  timeoutMS: 60_000,
  ignoreStatic: true,
  thresholds: { high: 90, low: 80, break: null },
};
