/*
 * A third-party model connector (protocol http) created, updated and deleted by the bundled
 * handler against the OpenSearch stand-in. The API key lives in (emulated) Secrets Manager
 * only: a canary value put there never shows up in the template, the resource properties,
 * anything sent to OpenSearch, the handler's logs or its responses to CloudFormation.
 */
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ChatRequestFormat, ConnectorBlueprint, MlConnector } from '../../src';
import { OpenSearchEmulator } from '../emulator';
import { createEvent, deleteEvent, SynthesizedStack, synthesizeStack, updateEvent } from './events';
import { LambdaHarness } from './harness';
import { AwsApisEmulator } from '../emulator/aws-apis';
import { evaluatePolicy } from '../emulator/iam';

const PROVIDER = {
  accessKeyId: 'AKIAPROVIDER00000003',
  secretAccessKey: 'provider-secret-key-do-not-log-0000000003',
  sessionToken: 'provider-session-token-do-not-log-0000000003',
  roleArn: 'arn:aws:iam::111122223333:role/provider',
};

/** The API key: it exists in Secrets Manager and nowhere else. */
const CANARY = 'sk-proj-CANARY-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:opensearch/openai-AbCdEf';

let emulator: OpenSearchEmulator;
let apis: AwsApisEmulator;
let lambda: LambdaHarness;

beforeAll(async () => {
  emulator = await OpenSearchEmulator.start({ principals: [PROVIDER] });
  apis = await AwsApisEmulator.start({ principals: [PROVIDER], secrets: { [SECRET_ARN]: JSON.stringify({ openAI_key: CANARY }) } });
  lambda = await LambdaHarness.start({
    credentials: PROVIDER,
    env: { PROVIDER_ROLE_ARN: PROVIDER.roleArn, AWS_ENDPOINT_URL_SECRETS_MANAGER: apis.url },
  });
});

afterAll(async () => {
  await lambda?.stop();
  await apis?.stop();
  await emulator?.stop();
});

beforeEach(() => {
  emulator.reset();
  apis.requests.length = 0;
});

function synth(requestFormat = ChatRequestFormat.MESSAGES, withKey = false): { stack: SynthesizedStack; properties: Record<string, unknown> } {
  const stack = synthesizeStack(emulator, (s, domain) => {
    const apiKeySecret = secretsmanager.Secret.fromSecretAttributes(s, 'ApiKey', {
      secretCompleteArn: SECRET_ARN,
      ...(withKey ? { encryptionKey: kms.Key.fromKeyArn(s, 'Cmk', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab') } : {}),
    });
    new MlConnector(s, 'QA', {
      domain,
      name: 'openai: chat',
      blueprint: ConnectorBlueprint.openAiChatCompletions({ apiKeySecret, model: 'gpt-4o', requestFormat }),
    });
  });
  emulator.setPrincipalPolicy(PROVIDER.roleArn, stack.providerStatements);
  const [properties] = stack.propertiesOf('Custom::OpenSearchMlConnector');
  return { stack, properties };
}

function expectNoCanary(...texts: Array<string | undefined>): void {
  for (const text of texts) {
    expect(text ?? '').not.toContain(CANARY);
    expect(text ?? '').not.toContain(CANARY.slice(8, 24));
  }
}

test('creates an http connector with { secretArn, roleArn }: one request, the secret never read by the provider', async () => {
  const { stack, properties } = synth();
  const roleArn = (properties.connector as any).credential.roleArn;
  const created = await lambda.invoke(createEvent(properties));

  expect(created.response?.Status).toBe('SUCCESS');
  const [stored] = emulator.connectors();
  expect(created.response?.PhysicalResourceId).toBe(stored.id);
  expect(stored.source).toMatchObject({
    protocol: 'http',
    parameters: { endpoint: 'api.openai.com', model: 'gpt-4o' },
    credential: { secretArn: SECRET_ARN, roleArn },
  });
  expect((stored.source.actions as any[])[0].headers).toEqual({ Authorization: 'Bearer ${credential.secretArn.openAI_key}' });
  expect(stored.source.parameters).not.toHaveProperty('region');
  expect(emulator.requests.filter((r) => r.path.startsWith('/_plugins/_ml')).map((r) => `${r.method} ${r.path} ${r.status}`))
    .toEqual(['POST /_plugins/_ml/connectors/_create 200']);
  // OpenSearch reads the key with the connector role when it calls the model; the provider never does.
  expect(apis.requests).toEqual([]);

  expectNoCanary(stack.templateText, JSON.stringify(properties), created.logs, created.responseBody, JSON.stringify(created.returned),
    ...emulator.requests.map((r) => `${JSON.stringify(r.headers)} ${r.body} ${r.responseBody}`));
});

test('the provider may pass the connector role, and nothing lets it read the secret', () => {
  const { stack, properties } = synth(ChatRequestFormat.MESSAGES, true);
  const roleArn = (properties.connector as any).credential.roleArn;
  const statements = JSON.stringify(stack.providerStatements);
  expect(evaluatePolicy(stack.providerStatements, 'iam:PassRole', roleArn)).toBe('allow');
  expect(statements).not.toContain('secretsmanager');
  expect(statements).not.toContain('kms:');
});

test('an update in place and a delete leave no trace of the key either', async () => {
  const before = synth(ChatRequestFormat.MESSAGES).properties;
  const created = await lambda.invoke(createEvent(before));
  const id = created.response!.PhysicalResourceId as string;

  const after = synth(ChatRequestFormat.LLM_JUDGMENT).properties;
  const updated = await lambda.invoke(updateEvent(id, after, before));
  expect(updated.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
  const [stored] = emulator.connectors();
  expect((stored.source.actions as any[])[0].post_process_function).toContain('params.choices[0].message.content');
  expect(stored.source.credential).toEqual((after.connector as any).credential);

  const deleted = await lambda.invoke(deleteEvent(id, after));
  expect(deleted.response?.Status).toBe('SUCCESS');
  expect(emulator.connectors()).toEqual([]);

  expectNoCanary(created.logs, updated.logs, deleted.logs, updated.responseBody, deleted.responseBody,
    ...emulator.requests.map((r) => `${r.body} ${r.responseBody}`));
  expect(apis.requests).toEqual([]);
});
