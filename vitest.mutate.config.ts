import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The test set of `npm run mutate` (stryker.config.mjs): the whole suite but for tests that cannot kill a mutant and
 * only cost time. Stryker activates a mutant inside the test process, so a test whose core runs in a child process
 * (crash safety, the two-process tests, the headless binary) always sees the unmutated code; the fuzz tests draw a
 * new seed on every run, which would make a mutant's verdict depend on luck.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'tests/integration/fuzz/**',
        'tests/integration/datastores/crash-safety.test.ts',
        'tests/integration/datastores/datastore-path-hang.test.ts',
        'tests/integration/oauth/oauth-processes.test.ts',
        'tests/integration/secrets/secret-crash.test.ts',
        'tests/integration/vault/vault-process.test.ts',
        '**/node_modules/**',
      ],
    },
  }),
);
