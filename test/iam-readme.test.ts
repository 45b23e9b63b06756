/*
 * README's "IAM statements" table against synthesized templates: every statement the library
 * writes is listed with its actions, resource scope and condition keys, and every row is
 * still written by the library.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, ConnectorBlueprint, FineGrainedAccess, IngestPipeline, IngestProcessor, MlConnector, MlModel, SearchPipeline, SearchProcessor,
  ServerlessCollection, VectorIndex,
} from '../src';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

interface ReadmeRow {
  readonly role: string;
  readonly policy: string;
  readonly actions: string[];
  readonly resource: string;
  readonly condition: string;
}

function readmeRows(): ReadmeRow[] {
  const section = README.split('\n## IAM statements\n')[1]?.split('\n## ')[0] ?? '';
  return section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| role') && !line.startsWith('| ---')).map((line) => {
    const [role, policy, actions, resource, condition] = line.slice(2, -2).split(' | ');
    return {
      role,
      policy: policy.replace(/`/g, '').replace(' (inline)', ''),
      actions: [...actions.matchAll(/`([a-z0-9-]+:[A-Za-z*]+)`/g)].map((m) => m[1]).sort(),
      resource,
      condition,
    };
  });
}

interface Statement {
  readonly role: string;
  readonly policy: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions: string[];
}

/** Every statement of every role and policy in the stacks, with resources as README placeholders. */
function synthesizedStatements(stacks: Stack[]): Statement[] {
  return stacks.flatMap((stack) => {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
    const placeholder = (value: unknown): string => {
      if (typeof value === 'string') {
        if (value.startsWith('arn:aws:secretsmanager:')) return value.includes(':secret:api-key') ? '<API key secret>' : '<master user secret>';
        if (value.startsWith('arn:aws:kms:')) return '<API key secret\'s KMS key>';
        return value.replace(/^arn:aws:es:[a-z0-9-]+:\d{12}:domain\/[a-z0-9-]+/, '<domain ARN>')
          .replace(/\/_(ingest|search)\/pipeline\/[^/]+$/, '/_$1/pipeline/<name>').replace(/^(<domain ARN>)\/(docs|scratch)(\/|$)/, '$1/<index>$3')
          .replace(/^arn:aws:aoss:[a-z0-9-]+:\d{12}:collection\/[a-z0-9]+$/, '<collection ARN>')
          .replace(/^arn:aws:iam::\d{12}:role\/cdk-opensearch-ml\/[A-Za-z0-9]+\/\*$/, 'arn:<partition>:iam::<account>:role/cdk-opensearch-ml/<provider ID>/*')
          .replace(/^arn:aws:iam::\d{12}:role\/(?!cdk-opensearch-ml\/).+$/, '<connector role>');
      }
      const v = value as Record<string, any>;
      const typeOf = (id: string) => resources[id]?.Type;
      if (v['Fn::GetAtt']) {
        const type = typeOf(v['Fn::GetAtt'][0]);
        return {
          'AWS::Logs::LogGroup': '<provider log group>',
          'AWS::Lambda::Function': '<worker function>',
          'AWS::IAM::Role': '<connector role>',
          'AWS::OpenSearchService::Domain': '<domain ARN>',
        }[type as string] ?? `<${type}>`;
      }
      if (v.Ref === 'AWS::StackId') return '<this stack>';
      if (v.Ref === 'AWS::Partition') return 'aws';
      if (v.Ref) return typeOf(v.Ref) === 'AWS::SecretsManager::Secret' ? '<master user secret>' : `<${typeOf(v.Ref)}>`;
      if (v['Fn::Join']) return placeholder((v['Fn::Join'][1] as unknown[]).map(placeholder).join(v['Fn::Join'][0]));
      return JSON.stringify(value);
    };
    const statement = (role: string, policy: string, s: any): Statement => ({
      role,
      policy,
      actions: [s.Action].flat().sort(),
      resources: [...new Set(s.Principal?.Service ? [`principal \`${s.Principal.Service}\``] : [s.Resource].flat().map(placeholder))],
      conditions: Object.entries(s.Condition ?? {}).flatMap(([operator, keys]) => Object.keys(keys as object).map((key) => `${operator} ${key}`)),
    });
    const roleKind = (id: string) => (id.startsWith('OpenSearchMlProviderRole') ? 'provider role' : 'connector role');
    // Not ours: what an L2 Domain's access policy brings (useUnsignedBasicAuth: an AwsCustomResource and its function).
    const theirs = (id: string) => id.startsWith('AWS679f53fac002430cb0da5b7982bd2287') || /^Domain.*AccessPolicy/.test(id);
    return Object.entries(resources).filter(([id]) => !theirs(id)).flatMap(([id, r]) => {
      if (r.Type === 'AWS::IAM::Role') {
        return [
          ...r.Properties.AssumeRolePolicyDocument.Statement.map((s: any) => statement(roleKind(id), 'trust', s)),
          ...(r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement.map((s: any) => statement(roleKind(id), p.PolicyName, s))),
        ];
      }
      if (r.Type === 'AWS::IAM::Policy') {
        const [roleRef] = r.Properties.Roles;
        const name = id.replace(/^OpenSearchMlProvider(Role)?/, '').replace(/[0-9A-F]{8}$/, '');
        return r.Properties.PolicyDocument.Statement.map((s: any) => statement(roleKind(roleRef.Ref), name, s));
      }
      return [];
    });
  });
}

/** Stacks that use every feature that writes IAM statements. */
function referenceStacks(): Stack[] {
  const app = new App();
  const env = { account: '111122223333', region: 'us-east-1' };
  const imported = new Stack(app, 'Imported', { env });
  const one = opensearch.Domain.fromDomainAttributes(imported, 'One', {
    domainArn: 'arn:aws:es:us-east-1:111122223333:domain/one', domainEndpoint: 'https://search-one.us-east-1.es.amazonaws.com',
  });
  new MlConnector(imported, 'SageMaker', {
    domain: one,
    blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }),
    fineGrainedAccess: FineGrainedAccess.masterUserSecret(secretsmanager.Secret.fromSecretCompleteArn(imported, 'M', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:master-AbCdEf')),
  });
  new MlConnector(imported, 'Claude', {
    domain: one,
    blueprint: ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0') }),
    fineGrainedAccess: FineGrainedAccess.masterUserSecret(secretsmanager.Secret.fromSecretCompleteArn(imported, 'M2', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:master-AbCdEf')),
  });
  const two = opensearch.Domain.fromDomainAttributes(imported, 'Two', {
    domainArn: 'arn:aws:es:us-east-1:111122223333:domain/two', domainEndpoint: 'https://vpc-two.us-east-1.es.amazonaws.com',
  });
  new MlConnector(imported, 'Titan', {
    domain: two,
    vpc: new ec2.Vpc(imported, 'Vpc', { maxAzs: 2, natGateways: 0 }),
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2(),
    fineGrainedAccess: FineGrainedAccess.providerIsMasterUser(),
  });

  const l2 = new Stack(app, 'L2', { env });
  const domain = new opensearch.Domain(l2, 'Domain', {
    version: opensearch.EngineVersion.OPENSEARCH_2_19,
    enforceHttps: true,
    nodeToNodeEncryption: true,
    encryptionAtRest: { enabled: true },
    fineGrainedAccessControl: { masterUserName: 'admin' },
    useUnsignedBasicAuth: true,
  });
  new MlConnector(l2, 'Comprehend', { domain, blueprint: ConnectorBlueprint.textractDetectDocumentText() });

  // models, third-party APIs (with a customer-managed key), and a serverless collection
  const more = new Stack(app, 'More', { env });
  const three = opensearch.Domain.fromDomainAttributes(more, 'Three', {
    domainArn: 'arn:aws:es:us-east-1:111122223333:domain/three', domainEndpoint: 'https://search-three.us-east-1.es.amazonaws.com',
  });
  const apiKey = secretsmanager.Secret.fromSecretAttributes(more, 'ApiKey', {
    secretCompleteArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:api-key-AbCdEf',
    encryptionKey: kms.Key.fromKeyArn(more, 'Cmk', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
  });
  const openAi = new MlConnector(more, 'OpenAi', {
    domain: three, blueprint: ConnectorBlueprint.openAiEmbedding({ apiKeySecret: apiKey, model: 'text-embedding-3-small' }),
  });
  const model = new MlModel(more, 'Model', { connector: openAi });
  // an ingest pipeline, a search pipeline, a retained index and one that is deleted with the stack
  const ingestPipeline = new IngestPipeline(more, 'Embed', { pipelineName: 'embed', processors: [IngestProcessor.textEmbedding({ model, fieldMap: { text: 'v' } })] });
  new SearchPipeline(more, 'Search', { processors: [SearchProcessor.neuralQueryEnricher({ defaultModel: model })] });
  new VectorIndex(more, 'Docs', { indexName: 'docs', ingestPipeline });
  new VectorIndex(more, 'Scratch', { indexName: 'scratch', ingestPipeline, removalPolicy: RemovalPolicy.DESTROY });
  new MlConnector(more, 'OwnRole', {
    domain: three,
    blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }),
    role: iam.Role.fromRoleArn(more, 'Given', 'arn:aws:iam::111122223333:role/team/connector-role', { mutable: false }),
  });
  new MlConnector(more, 'OnCollection', {
    collection: ServerlessCollection.fromCollectionAttributes({
      collectionName: 'vectors',
      collectionId: 'abc123',
      collectionEndpoint: 'https://abc123.us-east-1.aoss.amazonaws.com',
      collectionArn: 'arn:aws:aoss:us-east-1:111122223333:collection/abc123',
    }),
    blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2(),
  });
  return [imported, l2, more];
}

const matches = (row: ReadmeRow, s: Statement) =>
  row.role === s.role && row.policy === s.policy && JSON.stringify(row.actions) === JSON.stringify(s.actions);
const isInvoke = (x: { role: string; policy: string }) => x.role === 'connector role' && x.policy === 'Invoke';

const rows = readmeRows();
const statements = synthesizedStatements(referenceStacks());

test('README lists IAM statements', () => {
  expect(rows.length).toBeGreaterThanOrEqual(10);
});

const distinct = [...new Map(statements.filter((s) => !isInvoke(s)).map((s) => [`${s.role} ${s.policy} ${s.actions.join(',')} on ${s.resources.join(',')}`, s])).entries()];

test.each(distinct)(
  'README lists %s', (_, s) => {
    const listed = (r: ReadmeRow, resource: string) => r.resource.includes(resource.startsWith('principal') ? resource : `\`${resource}`);
    const row = rows.find((r) => matches(r, s) && s.resources.every((resource) => listed(r, resource)));
    expect(row).toBeDefined();
    for (const condition of s.conditions) expect(row!.condition).toContain(condition);
    if (s.conditions.length === 0) expect(row!.condition).toBe('none');
  });

test('every README row is a statement the library writes', () => {
  const stale = rows.filter((row) => !isInvoke(row) && !statements.some((s) => matches(row, s)));
  expect(stale).toEqual([]);
});

test('connector invoke statements: their actions are in the blueprint table, their conditions in the IAM table', () => {
  const invoke = statements.filter(isInvoke);
  expect(invoke.length).toBeGreaterThan(2);
  const invokeRow = rows.find(isInvoke)!;
  const blueprintTable = README.split('\n### Blueprints, services and permissions\n')[1].split('\n## ')[0];
  for (const s of invoke) {
    for (const action of s.actions) expect(blueprintTable).toContain(`\`${action}\``);
    for (const condition of s.conditions) expect(invokeRow.condition).toContain(condition);
  }
});
