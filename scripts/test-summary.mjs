// Prints the suite's one-line summary ("412 passed, 0 failed") from vitest's JSON reports (one per run).
// What failed outside a test (a hook, a file, an unhandled error: scripts/failure-reporter.mjs writes them
// beside each report) counts too, and a run that vitest marked failed for no reason recorded counts as one
// failure, so a lost file can never look like a pass.
// Every failure is named just above the summary line, with the first line of its message: CI keeps only the
// end of the output, and the lanes print their logs after lane B, far from its failures.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
const firstLine = (messages) => (messages?.[0] ?? 'no message').split('\n', 1)[0].slice(0, 300);
/** The failures outside any test that the failure reporter recorded for one run; none if it wrote no file. */
function readOutside(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
}

for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    failed += 1;
    problems.push(`no test report at ${file}: ${error.message}`);
    continue;
  }
  for (const result of report.testResults) {
    const where = relative(process.cwd(), result.name);
    for (const test of result.assertionResults)
      if (test.status === 'failed')
        problems.push(
          `failed: ${where} > ${test.fullName} (${Math.round(test.duration ?? 0)} ms): ${firstLine(test.failureMessages)}`,
        );
  }
  passed += report.numPassedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  failed += report.numFailedTests;
  // What failed outside a test, as scripts/failure-reporter.mjs wrote it beside the report.
  const outside = readOutside(file.replace('test-results', 'test-failures'));
  for (const failure of outside) problems.push(`failed: ${failure}`);
  failed += outside.length;
  if (outside.length === 0 && report.numFailedTests === 0 && report.success === false) {
    failed += 1;
    problems.push(`${file}: the run failed outside any test (an unhandled error or a lost worker)`);
  }
}
for (const problem of problems) console.error(`test: ${problem}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
