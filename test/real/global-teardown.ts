/** Stops the nodes global-setup.ts started and removes their run folders. */
import { RunningNode } from './opensearch-node';

export default async function globalTeardown(): Promise<void> {
  const nodes: RunningNode[] = (globalThis as any).__REAL_OPENSEARCH_NODES__ ?? [];
  await Promise.all(nodes.map((n) => n.stop()));
}
