import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.mutate.config';

// One worker for every file and run (isolate: false): Stryker picks the mutant at run time, so the instrumented modules
// can stay loaded between runs. Only for the in-process workflows tests. A mutant that makes a run hang fails its test
// at testTimeout (8 s, under Stryker's own timeout) instead of timing out the worker, which Stryker would then restart.
export default mergeConfig(base, defineConfig({ test: { isolate: false, fileParallelism: false, maxWorkers: 1, testTimeout: 8_000 } }));
