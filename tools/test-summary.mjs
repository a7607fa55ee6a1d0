// Prints what every stage of `npm test` did, from the results tools/test.sh leaves in one folder:
// jest's JSON reports (<id>.jest.json) and one word per other check (<id>.check). Last, so a long
// log ends with the counts and the names of whatever failed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
// A stage that started but left no report (a timeout, a crash) shows as failed.
const files = readdirSync(dir).sort();
const rows = [];
const failures = [];
let passed = 0;
let failed = 0;
let total = 0;

for (const file of files) {
  const path = join(dir, file);
  if (file.endsWith('.started')) {
    const id = file.slice(0, -'.started'.length);
    if (!files.includes(`${id}.jest.json`) && !files.includes(`${id}.check`)) {
      const stage = id.slice(id.indexOf('-') + 1);
      failures.push(`${stage}: no report (timed out or crashed)`);
      rows.push([stage, 'no report', '', 'FAILED']);
    }
  }
  if (file.endsWith('.jest.json')) {
    const report = JSON.parse(readFileSync(path, 'utf8'));
    const stage = file.slice(file.indexOf('-') + 1, -'.jest.json'.length);
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    total += report.numTotalTests;
    const broken = report.testResults.filter((suite) => suite.status !== 'passed');
    for (const suite of broken) {
      const names = suite.assertionResults.filter((t) => t.status === 'failed').map((t) => t.fullName);
      failures.push(`${stage}: ${suite.name}${names.length ? ` (${names.join('; ')})` : ` (${suite.message.split('\n')[0] || 'suite failed'})`}`);
    }
    rows.push([stage, `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numTotalTests} total`,
      `${report.numPassedTestSuites}/${report.numTotalTestSuites} suites`, report.success ? 'ok' : 'FAILED']);
  } else if (file.endsWith('.check')) {
    const outcome = readFileSync(path, 'utf8').trim();
    const stage = file.slice(file.indexOf('-') + 1, -'.check'.length);
    if (outcome !== 'passed') failures.push(`${stage}: check failed`);
    rows.push([stage, outcome, '', outcome === 'passed' ? 'ok' : 'FAILED']);
  }
}

console.log('\n== summary');
for (const [stage, counts, suites, outcome] of rows) {
  console.log(`${stage.padEnd(12)} ${outcome.padEnd(7)} ${counts}${suites ? `  (${suites})` : ''}`);
}
for (const failure of failures) console.log(`FAILED ${failure}`);
// The closing line in the plain form CI tools read: 'N passed, N failed[, N skipped]' alone on a line.
const skipped = total - passed - failed;
console.log(`every jest stage: ${total} tests`);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
