// The real tier's closing line: `real OpenSearch <versions>: N passed, M failed` (read by CI).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The versions under test: from the started nodes, or (when setup failed) from versions.ts itself. */
function versions() {
  const started = process.env.REAL_OPENSEARCH_NODES;
  if (started) return JSON.parse(started).map((n) => n.coreVersion);
  const source = fs.readFileSync(path.join(__dirname, 'versions.ts'), 'utf8');
  return [...source.matchAll(/coreVersion: '([^']+)'/g)].map((m) => m[1]);
}

class RealTierSummary {
  onRunComplete(_contexts, results) {
    // A test file that failed to run (setup error, syntax error) counts as failed too; so does a run
    // whose global setup failed (no test ran at all).
    const broken = results.numRuntimeErrorTestSuites || 0;
    const setupFailed = results.numTotalTests === 0 && broken === 0 ? 1 : 0;
    const line = `real OpenSearch ${versions().join(', ')}: ${results.numPassedTests} passed, ${results.numFailedTests + broken + setupFailed} failed\n`;
    // Jest's own summary is printed after the reporters': write the closing line when the process ends.
    process.once('exit', () => fs.writeSync(1, line));
  }
}
module.exports = RealTierSummary;
