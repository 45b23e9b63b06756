/**
 * Jest global setup of the real tier: installs (once per cache) and starts one node per version in
 * test/real/versions.ts, in parallel, and hands their addresses to the test files through the environment.
 * The nodes are shared by every test file and stopped by global-teardown.ts.
 */
import { fetchArtifacts, javaHomeFor, requireMaven, RunningNode, startNode } from './opensearch-node';
import { NODES_ENV } from './tier';
import { NODE_VERSIONS } from './versions';

export default async function globalSetup(): Promise<void> {
  // Missing tools fail at once, before any download.
  for (const version of NODE_VERSIONS) javaHomeFor(version);
  requireMaven();
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`[real tier ${((Date.now() - started) / 1000).toFixed(0)} s] ${line}\n`);
  // One Maven run fetches what the cache lacks for every version (nothing when it is warm).
  fetchArtifacts(NODE_VERSIONS, log);
  const results = await Promise.allSettled(NODE_VERSIONS.map((version) => startNode(version, log)));
  const nodes = results.filter((r): r is PromiseFulfilledResult<RunningNode> => r.status === 'fulfilled').map((r) => r.value);
  (globalThis as any).__REAL_OPENSEARCH_NODES__ = nodes;
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw new Error(failed.map((f) => String(f.reason?.message ?? f.reason)).join('\n\n'));
  }
  process.env[NODES_ENV] = JSON.stringify(nodes.map(({ stop, ...info }) => info));
  log(`nodes up: ${nodes.map((n) => `${n.coreVersion} ${n.url}`).join(', ')}`);
}
