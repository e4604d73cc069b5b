import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.mutate.config';

// One worker for every file and run (isolate: false): Stryker picks the mutant at run time, so the instrumented modules
// can stay loaded between runs. Only for the in-process workflows tests.
export default mergeConfig(base, defineConfig({ test: { isolate: false, fileParallelism: false, maxWorkers: 1 } }));
