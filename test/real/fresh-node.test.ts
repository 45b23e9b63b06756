/*
 * The very first ML requests a fresh node receives (this file runs first, see sequencer.js): ml-commons
 * refuses a create with "The ML encryption master key has not been initialized yet. Please retry after waiting
 * for 10 seconds." while its config index has no master key. The handler must retry that answer, not fail.
 * Measured here: a single fresh node does not give it (2.19 makes the key in its sync-up job at start-up, before
 * the node is healthy; 3.6 makes it on first use), so this test proves the first create on a fresh node, and
 * test/handler covers the retry of that exact answer against the emulator.
 */
import { CONNECTOR, MAPPING, nodes, RealDomain } from './tier';
import { ConnectorBlueprint, MlConnector } from '../../src';

const MASTER_KEY = 'ML encryption master key has not been initialized yet';

describe.each(nodes())('OpenSearch %s, a fresh node', (_version, node) => {
  let domain: RealDomain;
  beforeAll(async () => {
    domain = await RealDomain.open(node);
  });
  afterAll(async () => domain?.close());

  test('the first connector create succeeds; a refusal for the ML master key is retried, not failed', async () => {
    const existing = await domain.admin('POST', '/_plugins/_ml/connectors/_search', { query: { match_all: {} } });
    // a fresh node: no connector index yet (404) or an empty one
    expect(existing.status === 404 || existing.json?.hits?.total?.value === 0).toBe(true);
    const synthesized = domain.synth((stack, d) => new MlConnector(stack, 'QA', {
      domain: d, fineGrainedAccess: domain.fineGrainedAccess(stack), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 256 }),
    }));
    const mapping = await domain.createMapping(synthesized);
    const [properties] = synthesized.propertiesOf(CONNECTOR);
    const created = await domain.create(properties, CONNECTOR);
    expect(created.Reason).toBeUndefined();
    expect(created.Status).toBe('SUCCESS');

    const creates = domain.frontDoor.requests.filter((r) => r.path === '/_plugins/_ml/connectors/_create');
    const refused = creates.filter((r) => r.responseBody.includes(MASTER_KEY));
    process.stderr.write(`OpenSearch ${node.coreVersion}: the first create was refused for the master key ${refused.length} time(s): ${refused.map((r) => r.status).join(', ') || '-'}\n`);
    // each refusal followed by another try, and the last one was the node's 200
    expect(creates.map((r) => r.status)).toEqual([...refused.map((r) => r.status), 200]);
    const stored = await domain.admin('GET', `/_plugins/_ml/connectors/${created.PhysicalResourceId}`);
    expect(stored.status).toBe(200);
    expect(stored.json.credential).toBeUndefined();

    expect((await domain.delete(created.PhysicalResourceId, properties, CONNECTOR)).Status).toBe('SUCCESS');
    if (mapping) expect((await domain.delete(mapping.id, mapping.properties, MAPPING)).Status).toBe('SUCCESS');
    expect((await domain.admin('GET', `/_plugins/_ml/connectors/${created.PhysicalResourceId}`)).status).toBe(404);
  });
});
