// A vitest reporter that writes what fails outside a test to the JSON file named by TEST_FAILURES_FILE:
// a hook (beforeAll, afterAll) or a file that failed, with its suite and message, and every unhandled error
// with the file it came from. vitest's JSON report marks such a run failed but says neither where nor why,
// and CI keeps only the end of the output; scripts/test-summary.mjs prints these just above its summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

const firstLine = (error) =>
  String(error?.message ?? error ?? 'no message')
    .split('\n', 1)[0]
    .slice(0, 300);

export default class FailureReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    const file = process.env.TEST_FAILURES_FILE;
    if (file === undefined) return;
    const failures = [];
    for (const module of testModules) {
      const where = relative(process.cwd(), module.moduleId);
      for (const error of module.errors())
        failures.push(`${where} (the file or its hooks): ${firstLine(error)}`);
      for (const suite of module.children.allSuites())
        for (const error of suite.errors())
          failures.push(`${where} > ${suite.fullName} (a hook): ${firstLine(error)}`);
    }
    for (const error of unhandledErrors) {
      const origin = error.VITEST_TEST_PATH ? ` from ${relative(process.cwd(), error.VITEST_TEST_PATH)}` : '';
      failures.push(`unhandled ${error.name ?? 'error'}${origin}: ${firstLine(error)}`);
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(failures, null, 2)}\n`);
  }
}
