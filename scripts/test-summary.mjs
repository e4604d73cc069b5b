// Prints the one line CI reads: "N passed, N failed, N skipped", from vitest's and Playwright's JSON reports.
// A missing report counts as a failure: a suite that did not run must not look green.
import fs from 'node:fs';
const read = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : null);
const v = read('.ci-vitest.json') ?? { numPassedTests: 0, numFailedTests: 1, numPendingTests: 0, numTodoTests: 0 };
const p = read('.ci-pw.json')?.stats ?? { expected: 0, unexpected: 1, flaky: 0, skipped: 0 };
const passed = v.numPassedTests + p.expected;
const failed = v.numFailedTests + p.unexpected + p.flaky;
const skipped = v.numPendingTests + (v.numTodoTests ?? 0) + p.skipped;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
