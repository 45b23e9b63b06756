/*
 * The ml_full_access mapping on the real security plugin (nodes with the plugin only), made by the shipped
 * handler with the master user from Secrets Manager: on a mapping that already has other users, backend roles
 * and hosts (byte-identical after our create and delete), and on one that does not exist yet. In between, the
 * provider (an IAM role, handed to the plugin by the front door's proxy authentication) creates a connector
 * with nothing but ml_full_access.
 */
import { CONNECTOR, Deployment, MAPPING, nodes, PROVIDER_ROLE_ARN, RealDomain } from './tier';
import { ConnectorBlueprint, MlConnector } from '../../src';

const OTHERS = {
  backend_roles: ['arn:aws:iam::111122223333:role/data-scientists', 'arn:aws:iam::111122223333:role/etl'],
  users: ['alice', 'bob'],
  hosts: ['10.0.0.7'],
};

const secured = nodes().filter(([, node]) => node.security);

describe.each(secured)('OpenSearch %s: the ml_full_access mapping', (_version, node) => {
  let domain: RealDomain;
  beforeAll(async () => {
    domain = await RealDomain.open(node);
  });
  afterAll(async () => domain?.close());

  const mapping = async () => domain.admin('GET', '/_plugins/_security/api/rolesmapping/ml_full_access');
  const stack = () => domain.synth((s, d) => new MlConnector(s, 'QA', {
    domain: d, fineGrainedAccess: domain.fineGrainedAccess(s), blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'mapped' }),
  }));

  test('a mapping with other users, backend roles and hosts: ours added and removed, theirs byte-identical', async () => {
    expect((await domain.admin('PUT', '/_plugins/_security/api/rolesmapping/ml_full_access', OTHERS)).status).toBeLessThan(300);
    const before = (await mapping()).body;
    // Without the mapping the provider may not create connectors: the real plugin refuses it.
    const deployment = new Deployment(domain, stack());
    const denied = await deployment.create(deployment.logicalId(CONNECTOR, 'QA'));
    expect(denied.Status).toBe('FAILED');
    expect(denied.Reason).toMatch(/OpenSearch answered 403 security_exception: no permissions for \[cluster:admin\/opensearch\/ml\/(create_connector|connectors\/create)\]/);
    expect(denied.Reason).toContain(`map the IAM role ${PROVIDER_ROLE_ARN} as a backend role of ml_full_access`);

    await deployment.createAll();
    const during = (await mapping()).json.ml_full_access;
    expect(during).toMatchObject({ users: OTHERS.users, hosts: OTHERS.hosts, backend_roles: [...OTHERS.backend_roles, PROVIDER_ROLE_ARN] });
    expect(deployment.physical.get(deployment.logicalId(MAPPING, 'OpenSearchMlProvider'))).toBe(`rolesmapping/ml_full_access/added/${PROVIDER_ROLE_ARN}`);
    expect(await deployment.deleteAll()).toEqual([]);
    expect((await mapping()).body).toBe(before);
    expect((await domain.admin('DELETE', '/_plugins/_security/api/rolesmapping/ml_full_access')).status).toBe(200);
  });

  test('no mapping yet: created with only ours, and removed again on delete', async () => {
    expect((await mapping()).status).toBe(404);
    const deployment = new Deployment(domain, stack());
    await deployment.createAll();
    expect(deployment.physical.get(deployment.logicalId(MAPPING, 'OpenSearchMlProvider'))).toBe(`rolesmapping/ml_full_access/created/${PROVIDER_ROLE_ARN}`);
    expect((await mapping()).json.ml_full_access).toMatchObject({ backend_roles: [PROVIDER_ROLE_ARN] });
    expect(await deployment.deleteAll()).toEqual([]);
    expect((await mapping()).status).toBe(404);
  });
});

if (secured.length === 0) {
  test('no node of the matrix has the security plugin', () => {
    throw new Error('the ml_full_access tests need a node with the security plugin (test/real/versions.ts)');
  });
}
