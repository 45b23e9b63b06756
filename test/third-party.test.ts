/*
 * Third-party model blueprints (protocol http): the connector role may read exactly the API
 * key's secret (and decrypt it only through Secrets Manager), the body names the secret and
 * the role and never the key, cdk-nag finds nothing, and bad options fail at synth with the
 * property and the value.
 */
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  AzureOpenAiDeploymentOptions, ChatRequestFormat, CohereEmbedInput, CohereInputType, ConnectorBlueprint, ConnectorBlueprintBindOptions,
  ConnectorBlueprintConfig, MlConnector, MlConnectorProps,
} from '../src';
import { resourcesOfType, testDomain, testStack } from './util';

const COMPLETE_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:opensearch/openai-AbCdEf';
const PARTIAL_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:opensearch/openai';
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function domainIn(stack: Stack): opensearch.IDomain {
  return opensearch.Domain.fromDomainAttributes(stack, 'Domain', {
    domainArn: 'arn:aws:es:us-east-1:111122223333:domain/search',
    domainEndpoint: 'https://search-search-abc123.us-east-1.es.amazonaws.com',
  });
}

function synth(blueprint: (stack: Stack) => ConnectorBlueprint, props: Partial<MlConnectorProps> = {}, stack = testStack()) {
  new MlConnector(stack, 'C', { domain: domainIn(stack), blueprint: blueprint(stack), ...props });
  const template = Template.fromStack(stack).toJSON();
  const [, role] = resourcesOfType(stack, 'AWS::IAM::Role').find(([id]) => id.startsWith('CRole')) ?? [];
  const [[, resource]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
  return {
    template,
    statements: role?.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement),
    connector: resource.Properties.connector,
    stack,
  };
}

const openAi = (secret: (stack: Stack) => secretsmanager.ISecret) => (stack: Stack) =>
  ConnectorBlueprint.openAiEmbedding({ apiKeySecret: secret(stack), model: 'text-embedding-3-small' });

describe('the connector role reads exactly the API key secret', () => {
  test('a secret imported by complete ARN: GetSecretValue on that ARN, nothing else', () => {
    const { statements, connector } = synth(openAi((s) => secretsmanager.Secret.fromSecretCompleteArn(s, 'Key', COMPLETE_ARN)));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: COMPLETE_ARN }]);
    expect(connector.credential.secretArn).toBe(COMPLETE_ARN);
  });

  test('a secret imported by name: the ARN in IAM ends with exactly six wildcard characters, the credential names the partial ARN', () => {
    const { statements, connector } = synth(openAi((s) => secretsmanager.Secret.fromSecretNameV2(s, 'Key', 'opensearch/openai')));
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('secretsmanager:GetSecretValue');
    const resource = JSON.stringify(statements[0].Resource);
    expect(resource).toContain(':secret:opensearch/openai-??????');
    expect(resource).not.toContain('*');
    expect(JSON.stringify(connector.credential.secretArn)).toContain(':secret:opensearch/openai"');
  });

  test('a secret imported by partial ARN: <partial ARN>-??????', () => {
    const { statements, connector } = synth(openAi((s) => secretsmanager.Secret.fromSecretPartialArn(s, 'Key', PARTIAL_ARN)));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `${PARTIAL_ARN}-??????` }]);
    expect(connector.credential.secretArn).toBe(PARTIAL_ARN);
  });

  test('a secret of the stack: its Ref (the complete ARN)', () => {
    const { statements, connector, template } = synth(openAi((s) => new secretsmanager.Secret(s, 'Key')));
    const secretId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::SecretsManager::Secret');
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } }]);
    expect(connector.credential.secretArn).toEqual({ Ref: secretId });
  });

  test('a customer managed key: kms:Decrypt on that key, only through Secrets Manager in the secret\'s region', () => {
    const { statements } = synth(openAi((s) => secretsmanager.Secret.fromSecretAttributes(s, 'Key', {
      secretCompleteArn: COMPLETE_ARN, encryptionKey: kms.Key.fromKeyArn(s, 'Cmk', KEY_ARN),
    })));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: COMPLETE_ARN },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } },
    ]);
  });

  test('a secret of the stack with its own key: the key\'s ARN and the stack\'s region', () => {
    const { statements, template } = synth(openAi((s) => new secretsmanager.Secret(s, 'Key', { encryptionKey: new kms.Key(s, 'Cmk') })));
    const keyId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::KMS::Key');
    expect(statements[1]).toEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
  });

  test('a secret in another region: kms:ViaService names that region', () => {
    const { statements } = synth(openAi((s) => secretsmanager.Secret.fromSecretAttributes(s, 'Key', {
      secretCompleteArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:k-AbCdEf',
      encryptionKey: kms.Key.fromKeyArn(s, 'Cmk', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    })));
    expect(statements[1].Condition).toEqual({ StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } });
  });

  test('a role given by the user gets the same statements', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('opensearchservice.amazonaws.com') });
    synth(openAi((s) => secretsmanager.Secret.fromSecretCompleteArn(s, 'Key', COMPLETE_ARN)), { role }, stack);
    const [[, policy]] = resourcesOfType(stack, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('MineDefaultPolicy'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: COMPLETE_ARN }]);
  });
});

describe('the body of an http connector', () => {
  test('protocol http, credential { secretArn, roleArn }, no region or service_name, the key read from the secret', () => {
    const { connector } = synth(openAi((s) => secretsmanager.Secret.fromSecretCompleteArn(s, 'Key', COMPLETE_ARN)));
    expect(connector.protocol).toBe('http');
    expect(Object.keys(connector.credential)).toEqual(['secretArn', 'roleArn']);
    expect(connector.credential.roleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CRole/), 'Arn'] });
    expect(connector.parameters).toEqual({ model: 'text-embedding-3-small' });
    expect(connector.actions[0].headers).toEqual({ Authorization: 'Bearer ${credential.secretArn.openAI_key}' });
  });

  test('apiKeyField names another field of the secret', () => {
    const { connector } = synth((s) => ConnectorBlueprint.deepSeekChat({
      apiKeySecret: secretsmanager.Secret.fromSecretCompleteArn(s, 'Key', COMPLETE_ARN), apiKeyField: 'deepseek-prod',
    }));
    expect(connector.actions[0].headers.Authorization).toBe('Bearer ${credential.secretArn.deepseek-prod}');
  });

  test.each([
    ['openAiChatCompletions', (k: secretsmanager.ISecret) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret: k, model: 'gpt-4o' }), 'Authorization', 'Bearer ${credential.secretArn.openAI_key}'],
    ['cohereEmbed', (k: secretsmanager.ISecret) => ConnectorBlueprint.cohereEmbed({ apiKeySecret: k, model: 'embed-english-v3.0' }), 'Authorization', 'Bearer ${credential.secretArn.cohere_key}'],
    ['deepSeekChat', (k: secretsmanager.ISecret) => ConnectorBlueprint.deepSeekChat({ apiKeySecret: k }), 'Authorization', 'Bearer ${credential.secretArn.deepSeek_key}'],
  ])('%s is trusted by ml-commons by default and reads its catalog key name', (_, blueprint, header, value) => {
    const { connector } = synth((s) => blueprint(secretsmanager.Secret.fromSecretCompleteArn(s, 'Key', COMPLETE_ARN)));
    expect(connector.actions[0].headers[header]).toBe(value);
  });

  test('the same role trust as AWS models: OpenSearch Service, for this domain only', () => {
    const { stack } = synth(openAi((s) => secretsmanager.Secret.fromSecretCompleteArn(s, 'Key', COMPLETE_ARN)));
    const [[, role]] = resourcesOfType(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('CRole'));
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 'opensearchservice.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' }, ArnLike: { 'aws:SourceArn': 'arn:aws:es:us-east-1:111122223333:domain/search' } },
    }]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('http connectors of every kind of secret: no errors and no warnings', () => {
    const app = new App();
    const stack = new Stack(app, 'ThirdParty', { env: { account: '111122223333', region: 'us-east-1' } });
    const domain = domainIn(stack);
    const trust = ['^https://.*\\.openai\\.azure\\.com/.*$', '^https://generativelanguage\\.googleapis\\.com/.*$'];
    const complete = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Complete', COMPLETE_ARN);
    const byName = secretsmanager.Secret.fromSecretNameV2(stack, 'ByName', 'opensearch/cohere');
    const withKey = new secretsmanager.Secret(stack, 'WithKey', { encryptionKey: new kms.Key(stack, 'Cmk', { enableKeyRotation: true }) });
    const blueprints: Record<string, ConnectorBlueprint> = {
      OpenAi: ConnectorBlueprint.openAiChatCompletions({ apiKeySecret: complete, model: 'gpt-4o' }),
      Cohere: ConnectorBlueprint.cohereEmbed({ apiKeySecret: byName, model: 'embed-english-v3.0' }),
      DeepSeek: ConnectorBlueprint.deepSeekChat({ apiKeySecret: withKey }),
      Azure: ConnectorBlueprint.azureOpenAiEmbedding({ apiKeySecret: complete, resourceName: 'r', deploymentName: 'd', apiVersion: '2024-10-21' }),
      Gemini: ConnectorBlueprint.googleGeminiChat({ apiKeySecret: complete, model: 'gemini-2.0-flash' }),
    };
    for (const [id, blueprint] of Object.entries(blueprints)) {
      new MlConnector(stack, id, { domain, blueprint, trustedEndpoints: trust.concat(['^https://api\\.openai\\.com/.*$', '^https://api\\.cohere\\.ai/.*$', '^https://api\\.deepseek\\.com/.*$']) });
    }
    Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    app.synth();
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].filter((f) => f.id.includes('/OpenAi/') || f.id.includes('/Cohere/') || f.id.includes('/DeepSeek/') || f.id.includes('/Azure/')
      || f.id.includes('/Gemini/') || f.id.includes('/OpenSearchMlProvider/'));
    expect(findings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });
});

describe('mistakes caught at synth time', () => {
  const key = (s: Construct) => secretsmanager.Secret.fromSecretCompleteArn(s, 'Key', COMPLETE_ARN);
  const azure: Omit<AzureOpenAiDeploymentOptions, 'resourceName'> = { deploymentName: 'd', apiVersion: '2024-10-21' };

  test.each<[string, (s: Stack) => ConnectorBlueprint, RegExp]>([
    ['an apiKeyField that cannot be a placeholder', (s) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret: key(s), model: 'gpt-4o', apiKeyField: 'my key}' }),
      /C: blueprint apiKeyField must be the name of a field of the secret's JSON.*received 'my key}'/],
    ['an endpoint with a scheme', (s) => ConnectorBlueprint.openAiChatCompletions({ apiKeySecret: key(s), model: 'gpt-4o', endpoint: 'https://api.openai.com' }),
      /blueprint endpoint must be a host name without scheme or path, such as 'api.openai.com'; received 'https:\/\/api.openai.com'/],
    ['a model with a quote', (s) => ConnectorBlueprint.openAiEmbedding({ apiKeySecret: key(s), model: 'a"b' }),
      /blueprint model must be a non-empty name.*received 'a"b'/],
    ['Azure without resource or endpoint', (s) => ConnectorBlueprint.azureOpenAiChatCompletions({ apiKeySecret: key(s), ...azure }),
      /blueprint needs exactly one of resourceName .* and endpoint; received neither/],
    ['Azure with both', (s) => ConnectorBlueprint.azureOpenAiEmbedding({ apiKeySecret: key(s), ...azure, resourceName: 'r', endpoint: 'r.openai.azure.com' }),
      /received both \('r' and 'r.openai.azure.com'\)/],
    ['an Azure API version that is not one', (s) => ConnectorBlueprint.azureOpenAiEmbedding({ apiKeySecret: key(s), ...azure, resourceName: 'r', apiVersion: 'latest' }),
      /blueprint apiVersion must be an Azure OpenAI API version such as '2024-10-21'.*received 'latest'/],
    ['a temperature with an LLM judgment', (s) => ConnectorBlueprint.azureOpenAiChatCompletions({
      apiKeySecret: key(s), ...azure, resourceName: 'r', requestFormat: ChatRequestFormat.LLM_JUDGMENT, temperature: 0.2,
    }), /blueprint temperature is not used with requestFormat LLM_JUDGMENT; received '0.2'/],
    ['a temperature out of range', (s) => ConnectorBlueprint.openAiCompletions({ apiKeySecret: key(s), model: 'gpt-3.5-turbo-instruct', temperature: 3 }),
      /blueprint temperature must be from 0 to 2; received '3'/],
    ['an input type for images', (s) => ConnectorBlueprint.cohereEmbed({
      apiKeySecret: key(s), model: 'embed-english-v3.0', input: CohereEmbedInput.IMAGES, inputType: CohereInputType.SEARCH_QUERY,
    }), /blueprint inputType is not used with input IMAGES \(its input_type is 'image'\); received 'search_query'/],
    ['a batch file without batchPredict', (s) => ConnectorBlueprint.openAiEmbedding({ apiKeySecret: key(s), model: 'm', batchInputFileId: 'file-1' }),
      /blueprint batchInputFileId is not used without batchPredict: true; received 'file-1'/],
    ['a Google Cloud project ID that is not one', (s) => ConnectorBlueprint.googleVertexAiEmbedding({ apiKeySecret: key(s), project: 'My Project', modelId: 'm' }),
      /blueprint project must be a Google Cloud project ID.*received 'My Project'/],
    ['a custom http header that reads a credential the connector does not have', (s) => ConnectorBlueprint.customHttp({
      apiKeySecret: key(s), actions: [{ actionType: 'predict', url: 'https://api.openai.com/v1/x', headers: { 'Authorization': 'Bearer ${credential.secretArn.k}', 'X-Other': '${credential.openAI_key}' } }],
    }), /actions\[0\]\.headers\['X-Other'\] must read the API key as \$\{credential\.secretArn\.<field of the secret's JSON>\}; received '\$\{credential\.openAI_key\}'/],
    ['a custom http connector that never sends the key', (s) => ConnectorBlueprint.customHttp({
      apiKeySecret: key(s), actions: [{ actionType: 'predict', url: 'https://api.openai.com/v1/x' }],
    }), /blueprint actions must send the API key in a header as \$\{credential\.secretArn\./],
  ])('%s', (_, blueprint, message) => {
    expect(() => synth(blueprint)).toThrow(message);
  });

  test('a host the domain does not trust: the URL, the patterns and what to do', () => {
    expect(() => synth((s) => ConnectorBlueprint.googleGeminiChat({ apiKeySecret: key(s), model: 'gemini-2.0-flash' })))
      .toThrow(/C: actions\[0\]\.url 'https:\/\/generativelanguage\.googleapis\.com\/v1beta\/models\/gemini-2\.0-flash:generateContent' matches none of the domain's trusted connector endpoints .*list them in the trustedEndpoints property/);
    expect(() => synth((s) => ConnectorBlueprint.cohereChat({ apiKeySecret: key(s), model: 'command-r-plus' })))
      .toThrow(/'https:\/\/api\.cohere\.com\/v2\/chat' matches none of the domain's trusted connector endpoints/);
  });

  test('OpenAI batches need OpenSearch 2.17', () => {
    const stack = testStack();
    const domain = testDomain(stack, opensearch.EngineVersion.OPENSEARCH_2_15);
    expect(() => new MlConnector(stack, 'C', {
      domain, blueprint: ConnectorBlueprint.openAiEmbedding({ apiKeySecret: key(stack), model: 'm', batchPredict: true }),
    })).toThrow(/blueprint batchPredict \(the batch_predict action\) needs OpenSearch 2\.17 or later; the domain runs 2\.15/);
  });

  test('a blueprint of its own: protocol, secret and role must fit together', () => {
    class Own extends ConnectorBlueprint {
      constructor(private readonly config: Partial<ConnectorBlueprintConfig>) { super(); }
      public bind(_: Construct, bind: ConnectorBlueprintBindOptions): ConnectorBlueprintConfig {
        return {
          serviceName: 'x',
          region: bind.domainRegion,
          defaultName: 'own',
          defaultDescription: 'own',
          parameters: {},
          policyStatements: [],
          actions: [{ actionType: 'predict', url: 'https://api.openai.com/v1/x', headers: { Authorization: 'Bearer ${credential.secretArn.k}' } }],
          ...this.config,
        };
      }
    }
    expect(() => synth(() => new Own({ protocol: 'grpc' }))).toThrow(/blueprint protocol must be 'aws_sigv4' or 'http'; received 'grpc'/);
    expect(() => synth(() => new Own({ protocol: 'http' }))).toThrow(/an 'http' connector needs the secret that holds its API key \(secretArn\)/);
    expect(() => synth(() => new Own({ protocol: 'http', secretArn: COMPLETE_ARN, externalAccountRoleArn: 'arn:aws:iam::444455556666:role/x' })))
      .toThrow(/externalAccountRoleArn applies to AWS models \(aws_sigv4\), not to an 'http' connector; received 'arn:aws:iam::444455556666:role\/x'/);
    expect(() => synth(() => new Own({ secretArn: COMPLETE_ARN }))).toThrow(/secretArn applies to 'http' connectors.*received '.*openai-AbCdEf'/);
  });
});
