import { run } from './program';

/**
 * The provenanceone CLI (issue #16), bundled to out/cli/provenanceone.js and started by bin/provenanceone.mjs.
 * The exit code is set, not forced: stdout and stderr drain before the process ends.
 */
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.stderr.write('error INTERNAL: the CLI failed unexpectedly\n');
    process.exitCode = 1;
  },
);
