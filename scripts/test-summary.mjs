// Prints the suite's one-line summary ("412 passed, 0 failed") from vitest's JSON reports (one per run).
// A run that vitest marked failed without a failed test (an unhandled error, a worker that died and took
// its files with it) counts as one failure, so a lost file can never look like a pass.
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
for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    failed += 1;
    problems.push(`no test report at ${file}: ${error.message}`);
    continue;
  }
  const failedFiles = report.testResults.filter(
    (result) => result.status === 'failed' && result.assertionResults.length === 0,
  );
  for (const result of report.testResults) {
    const where = relative(process.cwd(), result.name);
    if (result.status === 'failed' && result.assertionResults.length === 0)
      problems.push(`failed: ${where} (the file, before any test): ${firstLine([result.message])}`);
    for (const test of result.assertionResults)
      if (test.status === 'failed')
        problems.push(
          `failed: ${where} > ${test.fullName} (${Math.round(test.duration ?? 0)} ms): ${firstLine(test.failureMessages)}`,
        );
  }
  const failedHere = report.numFailedTests + failedFiles.length;
  passed += report.numPassedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  if (failedHere === 0 && report.success === false) {
    failed += 1;
    problems.push(`${file}: the run failed outside any test (an unhandled error or a lost worker)`);
  } else {
    failed += failedHere;
  }
}
for (const problem of problems) console.error(`test: ${problem}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
