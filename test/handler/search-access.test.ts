/*
 * The search chain where the provider's permissions are not only IAM: a domain with fine-grained
 * access control (the stack's own security role, mapped to the provider role, made and removed without
 * touching anyone else's roles or mappings) and an OpenSearch Serverless vector collection (the index
 * rules of the stack's data access policy). The bundled handler, the synthesized grants, the emulator.
 */
import { createHash } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, ClaudeRequestFormat, ConnectorBlueprint, FineGrainedAccess, IndexField, MlTargetOptions, SemanticSearch, ServerlessCollection,
} from '../../src';
import { OpenSearchEmulator } from '../emulator';
import { Deployment } from './deployment';
import { ACCOUNT, REGION, SynthesizedStack } from './events';
import { LambdaHarness } from './harness';
import { DataPlane, DOCUMENTS, documentsOf, hybrid, idsOf, ingest, neural, rag } from './search-scenario';
import { AwsApisEmulator } from '../emulator/aws-apis';
import { send } from '../emulator/test-client';

const CREDENTIALS = {
  accessKeyId: 'AKIAPROVIDER00000113',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000113',
  sessionToken: 'provider-session-token-do-not-log-0000000113',
};
const MASTER = { username: 'admin', password: 'Master-Passw0rd-Never-Logged!' };
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:domain-master-AbCdEf`;
const APP = { accessKeyId: 'AKIAAPPLICATION00113', secretAccessKey: 'application-secret-key-0000000113', roleArn: `arn:aws:iam::${ACCOUNT}:role/app` };
const TITAN = ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 256 });
const CLAUDE = () => ConnectorBlueprint.bedrockAnthropicClaude({
  model: BedrockModel.foundationModel('anthropic.claude-3-haiku-20240307-v1:0'), requestFormat: ClaudeRequestFormat.INPUTS,
});

/** The stack: the SemanticSearch pattern on `target`, with a category field. */
function synthesize(target: (stack: Stack) => MlTargetOptions): SynthesizedStack {
  const stack = new Stack(new App(), 'HandlerTest', { env: { account: ACCOUNT, region: REGION } });
  new SemanticSearch(stack, 'Search', {
    ...target(stack), indexName: 'docs', embedding: TITAN, chat: CLAUDE(), hybrid: true, fields: [IndexField.keyword('category')],
  });
  return new SynthesizedStack(stack);
}

/** The provider role's ARN as the test resolver names it. */
function providerRoleArn(synthesized: SynthesizedStack): string {
  return synthesized.resolve({ 'Fn::GetAtt': [synthesized.logicalIdOf('OpenSearchMlProviderRole'), 'Arn'] }) as string;
}

describe('a domain with fine-grained access control: the stack\'s own security role', () => {
  let emulator: OpenSearchEmulator;
  let apis: AwsApisEmulator;
  let lambda: LambdaHarness;
  let synthesized: SynthesizedStack;
  let provider: string;
  const others = { analysts: { cluster_permissions: ['cluster_composite_ops_ro'], index_permissions: [{ index_patterns: ['logs-*'], allowed_actions: ['read'] }] } };

  beforeAll(async () => {
    // The provider role's ARN comes from the template, so synthesize once against a placeholder endpoint.
    const probe = synthesize((stack) => ({
      domain: opensearch.Domain.fromDomainAttributes(stack, 'Domain', { domainArn: `arn:aws:es:${REGION}:${ACCOUNT}:domain/test-domain`, domainEndpoint: 'https://x' }),
    }));
    provider = providerRoleArn(probe);
    emulator = await OpenSearchEmulator.start({
      principals: [{ ...CREDENTIALS, roleArn: provider }],
      fgac: { masterUser: MASTER, rolesMapping: { ml_full_access: { backend_roles: ['arn:aws:iam::111122223333:role/data-scientists'] } } },
    });
    apis = await AwsApisEmulator.start({ principals: [{ ...CREDENTIALS, roleArn: provider }], secrets: { [SECRET_ARN]: JSON.stringify(MASTER) } });
    lambda = await LambdaHarness.start({
      credentials: CREDENTIALS, env: { PROVIDER_ROLE_ARN: provider, AWS_ENDPOINT_URL_SECRETS_MANAGER: apis.url },
    });
    synthesized = synthesize((stack) => ({
      domain: opensearch.Domain.fromDomainAttributes(stack, 'Domain', { domainArn: emulator.domainArn, domainEndpoint: `https://${emulator.endpoint}` }),
      fineGrainedAccess: FineGrainedAccess.masterUserSecret(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Master', SECRET_ARN)),
    }));
    emulator.setPrincipalPolicy(provider, synthesized.providerStatements);
    apis.setPrincipalPolicy(provider, synthesized.providerStatements);
  });

  afterAll(async () => {
    await lambda?.stop();
    await apis?.stop();
    await emulator?.stop();
  });

  // The application signs in as the master user (all_access).
  const data: DataPlane = {
    request: async (method, path, body) => {
      const reply = await send(emulator, { method, path, body, basic: MASTER, ...(typeof body === 'string' ? { headers: { 'content-type': 'application/x-ndjson' } } : {}) });
      return { status: reply.status, json: reply.json, text: reply.text };
    },
    refresh: async (index) => {
      await send(emulator, { method: 'POST', path: `/${index}/_refresh`, basic: MASTER });
    },
  };

  test('the chain works with exactly the role\'s permissions, and teardown removes the role and its mapping only', async () => {
    await data.request('PUT', '/_plugins/_security/api/roles/analysts', others.analysts);
    const before = JSON.stringify([(await data.request('GET', '/_plugins/_security/api/roles/analysts')).json, emulator.rolesMapping('ml_full_access')]);
    const roleName = (synthesized.propertiesOf('Custom::OpenSearchMlSecurityRole')[0] as any).name as string;
    expect(roleName).toMatch(/^cdk-opensearch-ml-handlertest-[0-9a-f]{8}$/);

    const deployment = new Deployment(lambda);
    const deployed = await deployment.deploy(synthesized);
    expect(deployed.reason).toBeUndefined();
    // The role holds exactly what the pipelines and the index need; the provider role is its only member.
    const role = (await data.request('GET', `/_plugins/_security/api/roles/${roleName}`)).json[roleName];
    expect(role.cluster_permissions).toEqual([
      'cluster:admin/ingest/pipeline/delete', 'cluster:admin/ingest/pipeline/get', 'cluster:admin/ingest/pipeline/put',
      'cluster:admin/search/pipeline/delete', 'cluster:admin/search/pipeline/get', 'cluster:admin/search/pipeline/put',
    ]);
    expect(role.index_permissions).toEqual([{
      index_patterns: ['docs'],
      fls: [],
      masked_fields: [],
      allowed_actions: ['indices:admin/create', 'indices:admin/get', 'indices:admin/mapping/put', 'indices:admin/settings/update'],
    }]);
    expect(role.description).toContain('managed by cdk-opensearch-ml');
    expect(emulator.rolesMapping(roleName)).toMatchObject({ backend_roles: [provider] });
    // Pipelines and the index went through SigV4 as the provider role (not the master user).
    const writes = emulator.requests.filter((r) => r.method === 'PUT' && /^\/(_ingest|_search|docs)/.test(r.path));
    expect(writes.length).toBeGreaterThanOrEqual(4);
    expect(writes.every((r) => r.principal === provider && r.status === 200)).toBe(true);

    await ingest(data, 'docs');
    expect(idsOf(await neural(data, 'docs', 'embedding', 'furry cats'))[0]).toBe('0');
    expect(idsOf(await hybrid(data, 'docs', 'embedding', 'stock market'))[0]).toBe('1');
    const answer = await rag(data, 'docs', deployment.physicalIdOf('SearchRagPipeline'), 'embedding', 'What purrs?', 'response');
    expect(answer.json.ext.retrieval_augmented_generation.answer).toContain(DOCUMENTS[0].text);

    expect((await deployment.destroy()).ok).toBe(true);
    expect((await data.request('GET', `/_plugins/_security/api/roles/${roleName}`)).status).toBe(404);
    expect(emulator.rolesMapping(roleName)).toBeUndefined();
    expect(JSON.stringify([(await data.request('GET', '/_plugins/_security/api/roles/analysts')).json, emulator.rolesMapping('ml_full_access')])).toBe(before);
    expect((await data.request('POST', '/docs/_search?search_pipeline=_none', { size: 0, track_total_hits: true })).json.hits.total.value).toBe(3);
  });

  test('a security role of that name that the stack did not make is refused and left as it was', async () => {
    const roleName = (synthesized.propertiesOf('Custom::OpenSearchMlSecurityRole')[0] as any).name as string;
    await data.request('PUT', `/_plugins/_security/api/roles/${roleName}`, others.analysts);
    const outcome = await new Deployment(lambda).deploy(synthesized);
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toContain(`the security role '${roleName}' exists on ${emulator.endpoint}, and this stack did not make it`);
    expect((await data.request('GET', `/_plugins/_security/api/roles/${roleName}`)).json[roleName].index_permissions[0].index_patterns).toEqual(['logs-*']);
    await data.request('DELETE', `/_plugins/_security/api/roles/${roleName}`);
  });
});

describe('an OpenSearch Serverless vector collection: index rules in the stack\'s data access policy', () => {
  let emulator: OpenSearchEmulator;
  let lambda: LambdaHarness;
  let provider: string;
  const target = (endpoint: string) => (): MlTargetOptions => ({
    collection: ServerlessCollection.fromCollectionAttributes({ collectionName: 'test-collection', collectionId: '1tg2xudton46knx2a95g', collectionEndpoint: `https://${endpoint}` }),
  });

  beforeAll(async () => {
    provider = providerRoleArn(synthesize(target('1tg2xudton46knx2a95g.us-east-1.aoss.amazonaws.com')));
    emulator = await OpenSearchEmulator.start({ principals: [{ ...CREDENTIALS, roleArn: provider }, APP], serverless: {} });
    lambda = await LambdaHarness.start({ credentials: CREDENTIALS, env: { PROVIDER_ROLE_ARN: provider } });
  });

  afterAll(async () => {
    await lambda?.stop();
    await emulator?.stop();
  });

  const data: DataPlane = {
    request: async (method, path, body) => {
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const reply = await send(emulator, {
        method,
        path,
        body: text || undefined,
        service: 'aoss',
        credentials: APP,
        headers: { 'x-amz-content-sha256': createHash('sha256').update(text).digest('hex'), ...(typeof body === 'string' ? { 'content-type': 'application/x-ndjson' } : {}) },
      });
      return { status: reply.status, json: reply.json, text: reply.text };
    },
    // A collection refreshes on its own (every 60 s); the refresh API is not there.
    refresh: async () => emulator.refreshIndices(),
  };

  test('the chain with the synthesized policy: the index rule names exactly the index; teardown keeps it', async () => {
    const synthesized = synthesize(target(emulator.endpoint));
    const [policy] = Object.values(synthesized.resources).filter((r: any) => r.Type === 'AWS::OpenSearchServerless::AccessPolicy')
      .map((p: any) => JSON.parse(synthesized.resolve(p.Properties.Policy) as string));
    expect(policy[0].Rules).toEqual([
      { ResourceType: 'model', Resource: ['model/test-collection/*'], Permission: expect.any(Array) },
      { ResourceType: 'index', Resource: ['index/test-collection/*'], Permission: ['aoss:CreateIndex', 'aoss:DescribeIndex', 'aoss:DeleteIndex'] },
      { ResourceType: 'index', Resource: ['index/test-collection/docs'], Permission: ['aoss:CreateIndex', 'aoss:DescribeIndex', 'aoss:UpdateIndex'] },
    ]);
    // The application's own permissions: documents, and the models its queries call.
    const app = [{
      Rules: [
        { ResourceType: 'index', Resource: ['index/test-collection/docs'], Permission: ['aoss:ReadDocument', 'aoss:WriteDocument'] },
        { ResourceType: 'model', Resource: ['model/test-collection/*'], Permission: ['aoss:ExecuteMLResource'] },
      ],
      Principal: [APP.roleArn],
    }];
    emulator.setPrincipalPolicy(provider, synthesized.providerStatements);
    emulator.setDataAccessPolicies([policy, app]);

    const deployment = new Deployment(lambda);
    expect((await deployment.deploy(synthesized)).reason).toBeUndefined();
    expect(emulator.requests.filter((r) => r.path.startsWith('/_plugins/_security'))).toEqual([]);
    const ingested = await ingest(data, 'docs', false);
    expect(ingested.json.errors).toBe(false);
    expect(documentsOf(await neural(data, 'docs', 'embedding', 'furry cats'))[0]).toBe(0);
    expect(documentsOf(await hybrid(data, 'docs', 'embedding', 'stock market'))[0]).toBe(1);
    const answer = await rag(data, 'docs', deployment.physicalIdOf('SearchRagPipeline'), 'embedding', 'What purrs?', 'response');
    expect(answer.json.ext.retrieval_augmented_generation.answer).toContain(DOCUMENTS[0].text);
    expect((await deployment.destroy()).ok).toBe(true);
    expect(emulator.userIndex('docs')?.documents).toHaveLength(3);
    expect(emulator.pipelines('ingest')).toEqual({});
  });
});
