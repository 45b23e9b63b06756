/*
 * The bad input catalog: invalid construct inputs, each with the property, the value and the
 * fragment of the error that says what would be valid. test/bad-input.test.ts checks that
 * each fails at synth with all three in its message, that each of BAD_INPUT_WARNINGS synthesizes
 * with a warning holding all three, and that docs/bad-input-catalog.md is these tables. To add a
 * row: append to BAD_INPUTS (or BAD_INPUT_WARNINGS), then `UPDATE_CATALOG=1 npx jest test/bad-input.test.ts`.
 */
import { Duration, Resource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BedrockModel, CollectionDataAccess, ComprehendApi, ConnectorAction, ConnectorBlueprint, FineGrainedAccess, IMlConnector, MlConnector,
  MlConnectorProps, MlModel, MlModelGroup, ModelFrameworkType, ModelGroupAccessMode, ModelVerification, MlModelProps, ServerlessCollection,
} from '../src';
import { SEARCH_BAD_INPUTS } from './bad-input-search';
import { testDomain } from './util';

/** An IMlConnector that is not one of this library's: it does not say which domain it is on. */
class ForeignConnector extends Resource implements IMlConnector {
  public readonly connectorId = 'abc';
}

export interface BadInput {
  /** the construct, blueprint factory or struct the input belongs to */
  readonly input: string;
  /** the property, as the error names it */
  readonly property: string;
  /** the invalid value, as the error quotes it */
  readonly value: string;
  /** the part of the error (or warning) that says what would be valid */
  readonly valid: string;
  /** builds the construct with the invalid input in `stack` (account 111122223333, us-east-1) */
  readonly build: (stack: Stack) => void;
}

const ENDPOINT = 'https://search-x-abc.us-east-1.es.amazonaws.com';

/** An MlConnector on an imported domain, with `props` (and a valid blueprint unless given). */
function connector(stack: Stack, props: Partial<MlConnectorProps>): MlConnector {
  return new MlConnector(stack, 'C', {
    domain: props.domain ?? opensearch.Domain.fromDomainEndpoint(stack, 'D', ENDPOINT),
    blueprint: props.blueprint ?? ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }),
    ...props,
  });
}

/** An MlConnector with `blueprint`. */
function withBlueprint(blueprint: () => ConnectorBlueprint): (stack: Stack) => void {
  return (stack) => connector(stack, { blueprint: blueprint() });
}

/** A custom blueprint with one action built from `action`. */
function withAction(action: Partial<ConnectorAction>): (stack: Stack) => void {
  return withBlueprint(() => ConnectorBlueprint.custom({
    serviceName: 'bedrock',
    actions: [{ actionType: 'predict', url: 'https://bedrock-runtime.${parameters.region}.amazonaws.com/model/m/invoke', ...action }],
    invokeActions: ['bedrock:InvokeModel'],
    invokeResources: ['arn:aws:bedrock:us-east-1::foundation-model/m'],
  }));
}

/** An MlModel on a Titan Text Embeddings V2 connector (512 values), with `props`. */
function model(props: Partial<MlModelProps>): (stack: Stack) => void {
  return (stack) => new MlModel(stack, 'M', {
    connector: connector(stack, { blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 512 }) }),
    ...props,
  });
}

/** A collection with these attributes (valid ones unless given). */
function collection(attrs: { collectionName?: string; collectionArn?: string; collectionEndpoint?: string }): ServerlessCollection {
  return ServerlessCollection.fromCollectionAttributes({
    collectionName: 'vectors', collectionId: 'abc123', collectionEndpoint: 'https://abc123.us-east-1.aoss.amazonaws.com', ...attrs,
  });
}

/** An MlConnector on a domain imported with this ARN and endpoint. */
function onImported(domainArn: string, domainEndpoint: string): (stack: Stack) => void {
  return (s) => connector(s, { domain: opensearch.Domain.fromDomainAttributes(s, 'D', { domainArn, domainEndpoint }) });
}

/** An MlConnector on a collection with these attributes (valid ones unless given). */
function onCollection(attrs: Parameters<typeof collection>[0]): (stack: Stack) => void {
  return (s) => new MlConnector(s, 'C', { collection: collection(attrs), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
}

/** A third-party API key secret. */
function apiKeySecret(stack: Stack): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:api-key-AbCdEf');
}

function l2Domain(stack: Stack, version: opensearch.EngineVersion): opensearch.Domain {
  return testDomain(stack, version);
}

const CUSTOM = {
  serviceName: 'bedrock',
  actions: [{ actionType: 'predict', url: 'https://bedrock-runtime.${parameters.region}.amazonaws.com/model/m/invoke' }],
  invokeActions: ['bedrock:InvokeModel'],
  invokeResources: ['arn:aws:bedrock:us-east-1::foundation-model/m'],
};

const BATCH = {
  endpointName: 'e',
  modelName: 'm',
  transformJobName: 'nightly',
  inputS3Uri: 's3://b/in/',
  outputS3Uri: 's3://b/out/',
  instanceType: 'ml.c5.xlarge',
};

export const BAD_INPUTS: BadInput[] = [
  // MlConnector
  { input: 'MlConnector', property: 'name', value: "''", valid: 'must not be empty', build: (s) => connector(s, { name: '' }) },
  { input: 'MlConnector', property: 'name', value: '257 characters', valid: 'must be at most 256 characters', build: (s) => connector(s, { name: 'n'.repeat(257) }) },
  { input: 'MlConnector', property: 'description', value: "' '", valid: 'must not be empty (leave it out for the blueprint\'s description)', build: (s) => connector(s, { description: ' ' }) },
  // ml-commons 3.x: 400 "Model connector name can only contain letters, numbers, spaces, and basic punctuation" (test/real)
  { input: 'MlConnector', property: 'name', value: "'<YOUR CONNECTOR NAME>'", valid: 'may contain only letters, digits, spaces and the marks', build: (s) => connector(s, { name: '<YOUR CONNECTOR NAME>' }) },
  { input: 'MlConnector', property: 'description', value: "'embeddings #1 & #2'", valid: 'may contain only letters, digits, spaces and the marks', build: (s) => connector(s, { description: 'embeddings #1 & #2' }) },
  {
    input: 'MlConnector',
    property: 'domain',
    value: "'Elasticsearch_7.10'",
    valid: 'need OpenSearch 2.9 or later',
    build: (s) => connector(s, { domain: l2Domain(s, opensearch.EngineVersion.ELASTICSEARCH_7_10) }),
  },
  {
    input: 'MlConnector',
    property: 'domain',
    value: "'OpenSearch_2.7'",
    valid: 'need OpenSearch 2.9 or later',
    build: (s) => connector(s, { domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_7) }),
  },
  {
    input: 'MlConnector',
    property: 'role',
    value: "'arn:aws:iam::444455556666:role/other'",
    valid: "a role of the domain's or collection's account (111122223333)",
    build: (s) => connector(s, { role: iam.Role.fromRoleArn(s, 'R', 'arn:aws:iam::444455556666:role/other') }),
  },
  { input: 'MlConnector', property: 'trustedEndpoints[0]', value: "'^https://(unclosed'", valid: 'is not a regular expression', build: (s) => connector(s, { trustedEndpoints: ['^https://(unclosed'] }) },
  { input: 'MlConnector', property: 'trustedEndpoints', value: '[]', valid: 'must list at least one pattern', build: (s) => connector(s, { trustedEndpoints: [] }) },
  {
    input: 'MlConnector',
    property: 'fineGrainedAccess',
    value: "'manual'",
    valid: "use 'disabled' for every connector of the domain",
    build: (s) => {
      const domain = opensearch.Domain.fromDomainEndpoint(s, 'D', ENDPOINT);
      new MlConnector(s, 'A', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }), fineGrainedAccess: FineGrainedAccess.disabled() });
      new MlConnector(s, 'B', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }), fineGrainedAccess: FineGrainedAccess.manual() });
    },
  },
  {
    input: 'MlConnector',
    property: 'vpcSubnets',
    value: '\'{"subnetType":"Private"}\'',
    valid: 'needs the vpc property too',
    build: (s) => connector(s, { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }),
  },
  {
    input: 'MlConnector',
    property: 'securityGroups',
    value: '\'["sg-12345678"]\'',
    valid: 'needs the vpc property too',
    build: (s) => connector(s, { securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(s, 'G', 'sg-12345678')] }),
  },
  {
    input: 'MlConnector',
    property: 'vpc',
    value: "'vpc-12345678'",
    valid: 'pass a vpc with subnets that reach the domain on port 443',
    build: (s) => connector(s, { vpc: ec2.Vpc.fromVpcAttributes(s, 'V', { vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a'] }) }),
  },
  {
    input: 'MlConnector',
    property: 'vpcSubnets',
    value: '\'{"subnetType":"Isolated"}\'',
    valid: 'and vpcSubnets that select them',
    build: (s) => connector(s, {
      vpc: ec2.Vpc.fromVpcAttributes(s, 'V', { vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] }),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    }),
  },

  // MlConnector.clientConfig (ConnectorClientConfig)
  { input: 'ConnectorClientConfig', property: 'clientConfig.maxConnections', value: "'0'", valid: 'a whole number of at least 1', build: (s) => connector(s, { clientConfig: { maxConnections: 0 } }) },
  { input: 'ConnectorClientConfig', property: 'clientConfig.maxRetries', value: "'-2'", valid: 'a whole number of at least -1', build: (s) => connector(s, { clientConfig: { maxRetries: -2 } }) },
  {
    input: 'ConnectorClientConfig',
    property: 'clientConfig.connectionTimeout',
    value: "'1 second 500 millis'",
    valid: 'must be whole seconds',
    build: (s) => connector(s, { clientConfig: { connectionTimeout: Duration.millis(1500) } }),
  },
  { input: 'ConnectorClientConfig', property: 'clientConfig.readTimeout', value: "'500 millis'", valid: 'must be whole seconds', build: (s) => connector(s, { clientConfig: { readTimeout: Duration.millis(500) } }) },
  { input: 'ConnectorClientConfig', property: 'clientConfig.retryTimeout', value: "'2 seconds 500 millis'", valid: 'must be whole seconds', build: (s) => connector(s, { clientConfig: { retryTimeout: Duration.millis(2500) } }) },
  {
    input: 'ConnectorClientConfig',
    property: 'clientConfig.retryBackoff',
    value: "'0.5 millis'",
    valid: 'must be whole milliseconds',
    build: (s) => connector(s, { clientConfig: { retryBackoff: Duration.millis(0.5) } }),
  },
  {
    input: 'ConnectorClientConfig',
    property: 'clientConfig',
    value: '2.11',
    valid: 'needs OpenSearch 2.13 or later',
    build: (s) => connector(s, { domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_11), clientConfig: { maxConnections: 10 } }),
  },
  {
    input: 'ConnectorClientConfig',
    property: 'clientConfig.maxRetries',
    value: '2.13',
    valid: 'needs OpenSearch 2.15 or later',
    build: (s) => connector(s, { domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_13), clientConfig: { maxRetries: 3 } }),
  },

  // FineGrainedAccess
  {
    input: 'FineGrainedAccess.masterUserSecret',
    property: 'fineGrainedAccess',
    value: "'masterUserSecret'",
    valid: 'needs the domain to use the internal user database (fineGrainedAccessControl: { masterUserName })',
    build: (s) => connector(s, {
      domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_19),
      fineGrainedAccess: FineGrainedAccess.masterUserSecret(secretsmanager.Secret.fromSecretNameV2(s, 'M', 'master')),
    }),
  },

  {
    input: 'FineGrainedAccess.masterUserSecret',
    property: 'fineGrainedAccess',
    value: "'masterUserSecret'",
    valid: 'lets no anonymous caller do es:ESHttpGet, es:ESHttpPut, es:ESHttpPatch, es:ESHttpDelete, so the mapping would be refused at deploy time',
    build: (s) => connector(s, {
      domain: new opensearch.Domain(s, 'D', {
        version: opensearch.EngineVersion.OPENSEARCH_2_19,
        enforceHttps: true,
        nodeToNodeEncryption: true,
        encryptionAtRest: { enabled: true },
        fineGrainedAccessControl: { masterUserName: 'admin' },
      }),
    }),
  },
  {
    input: 'FineGrainedAccess.providerIsMasterUser',
    property: 'fineGrainedAccess',
    value: "'providerIsMasterUser'",
    valid: 'needs a domain with fine-grained access control whose IAM master user is the provider role',
    build: (s) => connector(s, {
      domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_19), fineGrainedAccess: FineGrainedAccess.providerIsMasterUser(),
    }),
  },

  // ConnectorAction (in ConnectorBlueprint.custom)
  { input: 'ConnectorAction', property: 'actions[0].actionType', value: "'classify'", valid: 'must be one of predict, execute', build: withAction({ actionType: 'classify' }) },
  { input: 'ConnectorAction', property: 'actions[0].method', value: "'FETCH'", valid: 'must be one of GET, POST, PUT', build: withAction({ method: 'FETCH' }) },
  { input: 'ConnectorAction', property: 'actions[0].url', value: "'http://bedrock-runtime.us-east-1.amazonaws.com/'", valid: 'must be an https:// URL', build: withAction({ url: 'http://bedrock-runtime.us-east-1.amazonaws.com/' }) },
  {
    input: 'ConnectorAction',
    property: 'actions[0].url',
    value: "'https://models.example.com/invoke'",
    valid: 'list them in the trustedEndpoints property',
    build: withAction({ url: 'https://models.example.com/invoke' }),
  },
  {
    input: 'ConnectorAction',
    property: "actions[0].headers['Authorization']",
    value: "'Bearer ${parameters.key}'",
    valid: 'Use ${credential.*} for secrets',
    build: withAction({ headers: { Authorization: 'Bearer ${parameters.key}' } }),
  },
  { input: 'ConnectorAction', property: 'actions[0].requestBody', value: "'{ \"a\": '", valid: 'must be JSON once its ${parameters.*} placeholders are filled', build: withAction({ requestBody: '{ "a": ' }) },

  // ConnectorBlueprint.custom
  { input: 'ConnectorBlueprint.custom', property: 'serviceName', value: "'Bedrock Runtime'", valid: "a SigV4 signing name such as 'bedrock'", build: withBlueprint(() => ConnectorBlueprint.custom({ ...CUSTOM, serviceName: 'Bedrock Runtime' })) },
  { input: 'ConnectorBlueprint.custom', property: 'actions', value: 'none', valid: 'must list at least one action (predict, execute', build: withBlueprint(() => ConnectorBlueprint.custom({ ...CUSTOM, actions: [] })) },
  { input: 'ConnectorBlueprint.custom', property: 'invokeActions', value: "'InvokeModel'", valid: "IAM actions such as 'bedrock:InvokeModel'", build: withBlueprint(() => ConnectorBlueprint.custom({ ...CUSTOM, invokeActions: ['InvokeModel'] })) },
  { input: 'ConnectorBlueprint.custom', property: 'invokeActions', value: 'none', valid: 'at least one IAM action', build: withBlueprint(() => ConnectorBlueprint.custom({ ...CUSTOM, invokeActions: [] })) },
  { input: 'ConnectorBlueprint.custom', property: 'invokeResources', value: 'none', valid: 'must list the ARNs the connector calls', build: withBlueprint(() => ConnectorBlueprint.custom({ ...CUSTOM, invokeResources: [] })) },
  { input: 'ConnectorBlueprint.custom', property: 'region', value: "'US East'", valid: "an AWS region such as 'us-east-1'", build: withBlueprint(() => ConnectorBlueprint.custom({ ...CUSTOM, region: 'US East' })) },

  // SageMaker blueprints
  { input: 'ConnectorBlueprint.sageMakerEndpoint', property: 'endpointName', value: "'my_endpoint'", valid: '1 to 63 letters, digits and hyphens', build: withBlueprint(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'my_endpoint' })) },
  {
    input: 'ConnectorBlueprint.sageMakerEndpoint',
    property: 'requestBody',
    value: "'{ \"inputs\": ${parameters.inputs} '",
    valid: 'must be JSON once its ${parameters.*} placeholders are filled',
    build: withBlueprint(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', requestBody: '{ "inputs": ${parameters.inputs} ' })),
  },
  {
    input: 'ConnectorBlueprint.sageMakerEndpoint',
    property: "headers['x-api-key']",
    value: "'${parameters.key}'",
    valid: 'Use ${credential.*} for secrets',
    build: withBlueprint(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', headers: { 'x-api-key': '${parameters.key}' } })),
  },
  { input: 'ConnectorBlueprint.sageMakerEndpoint', property: 'region', value: "'useast1'", valid: "an AWS region such as 'us-east-1'", build: withBlueprint(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', region: 'useast1' })) },
  {
    input: 'ConnectorBlueprint.sageMakerEndpoint',
    property: 'externalAccountRoleArn',
    value: "'444455556666'",
    valid: "an IAM role ARN such as 'arn:aws:iam::444455556666:role/opensearch-model-access'",
    build: withBlueprint(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', externalAccountRoleArn: '444455556666' })),
  },
  {
    input: 'ConnectorBlueprint.sageMakerAsyncEndpoint',
    property: 'inputLocation',
    value: "'https://b.s3.amazonaws.com/in.json'",
    valid: "an S3 URI such as 's3://my-bucket/input/request.json'",
    build: withBlueprint(() => ConnectorBlueprint.sageMakerAsyncEndpoint({ endpointName: 'e', inputLocation: 'https://b.s3.amazonaws.com/in.json' })),
  },
  { input: 'ConnectorBlueprint.sageMakerBatchTransform', property: 'transformJobName', value: "'nightly jobs'", valid: '1 to 63 letters, digits and hyphens', build: withBlueprint(() => ConnectorBlueprint.sageMakerBatchTransform({ ...BATCH, transformJobName: 'nightly jobs' })) },
  { input: 'ConnectorBlueprint.sageMakerBatchTransform', property: 'inputS3Uri', value: "'b/in/'", valid: "an S3 URI such as 's3://my-bucket/batch/'", build: withBlueprint(() => ConnectorBlueprint.sageMakerBatchTransform({ ...BATCH, inputS3Uri: 'b/in/' })) },
  { input: 'ConnectorBlueprint.sageMakerBatchTransform', property: 'outputS3Uri', value: "'s3:/b/out/'", valid: "an S3 URI such as 's3://my-bucket/batch/'", build: withBlueprint(() => ConnectorBlueprint.sageMakerBatchTransform({ ...BATCH, outputS3Uri: 's3:/b/out/' })) },
  { input: 'ConnectorBlueprint.sageMakerBatchTransform', property: 'instanceType', value: "'c5.xlarge'", valid: "an ML instance type such as 'ml.c5.xlarge'", build: withBlueprint(() => ConnectorBlueprint.sageMakerBatchTransform({ ...BATCH, instanceType: 'c5.xlarge' })) },
  { input: 'ConnectorBlueprint.sageMakerBatchTransform', property: 'instanceCount', value: "'0'", valid: 'a whole number of at least 1', build: withBlueprint(() => ConnectorBlueprint.sageMakerBatchTransform({ ...BATCH, instanceCount: 0 })) },
  {
    input: 'ConnectorBlueprint.sageMakerBatchTransform',
    property: 'maxConcurrentTransforms',
    value: "'1.5'",
    valid: 'a whole number of at least 1',
    build: withBlueprint(() => ConnectorBlueprint.sageMakerBatchTransform({ ...BATCH, maxConcurrentTransforms: 1.5 })),
  },
  { input: 'ConnectorBlueprint.sageMakerSemanticHighlighter', property: 'endpointName', value: "'-highlighter'", valid: '1 to 63 letters, digits and hyphens', build: withBlueprint(() => ConnectorBlueprint.sageMakerSemanticHighlighter({ endpointName: '-highlighter' })) },

  // Bedrock blueprints and models
  { input: 'ConnectorBlueprint.bedrockTitanTextEmbeddingV2', property: 'dimensions', value: '300', valid: 'must be one of 256, 512, 1024', build: withBlueprint(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 300 })) },
  {
    input: 'ConnectorBlueprint.bedrockTitanTextEmbeddingV1',
    property: 'preProcessFunction',
    value: "'connector.pre_process.default.embedding'",
    valid: 'cannot be combined with omitProcessFunctions: true',
    build: withBlueprint(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV1({ omitProcessFunctions: true, preProcessFunction: 'connector.pre_process.default.embedding' })),
  },
  { input: 'ConnectorBlueprint.bedrockTitanMultimodalEmbedding', property: 'dimensions', value: '512', valid: 'must be one of 256, 384, 1024', build: withBlueprint(() => ConnectorBlueprint.bedrockTitanMultimodalEmbedding({ dimensions: 512 })) },
  {
    input: 'ConnectorBlueprint.bedrockCohereEmbed',
    property: 'model',
    value: "'amazon.titan-embed-text-v2:0'",
    valid: "such as 'cohere.embed-english-v3'",
    build: withBlueprint(() => ConnectorBlueprint.bedrockCohereEmbed({ model: BedrockModel.fromId('amazon.titan-embed-text-v2:0') })),
  },
  {
    input: 'ConnectorBlueprint.bedrockNovaMultimodalEmbedding',
    property: 'dimensions',
    value: '512',
    valid: 'must be one of 256, 384, 1024, 3072',
    build: withBlueprint(() => ConnectorBlueprint.bedrockNovaMultimodalEmbedding({ modality: 'TEXT' as any, dimensions: 512 })),
  },
  {
    input: 'ConnectorBlueprint.bedrockAnthropicClaude',
    property: 'thinkingBudgetTokens',
    value: "'4096'",
    valid: 'must be less than maxTokens (2048)',
    build: withBlueprint(() => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0'), maxTokens: 2048, thinkingBudgetTokens: 4096 })),
  },
  {
    input: 'ConnectorBlueprint.bedrockAnthropicClaude',
    property: 'temperature',
    value: "'2'",
    valid: 'must be from 0 to 1',
    build: withBlueprint(() => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0'), temperature: 2 })),
  },
  {
    input: 'ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion',
    property: 'topP',
    value: "'1.5'",
    valid: 'must be from 0 to 1',
    build: withBlueprint(() => ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion({ model: BedrockModel.fromId('anthropic.claude-v2:1'), topP: 1.5 })),
  },
  {
    input: 'ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion',
    property: 'model',
    value: 'none',
    valid: 'Amazon Bedrock lists every model of this API (an Anthropic Claude model of the Text Completions API (Claude 2.x or Claude Instant)) as legacy or end of life',
    build: withBlueprint(() => ConnectorBlueprint.bedrockAnthropicClaudeTextCompletion({} as any)),
  },
  {
    input: 'ConnectorBlueprint.bedrockAi21Jurassic',
    property: 'model',
    value: 'none',
    valid: 'or use bedrockConverse() with an AI21 Jamba model for a current model',
    build: withBlueprint(() => ConnectorBlueprint.bedrockAi21Jurassic({} as any)),
  },
  {
    input: 'ConnectorBlueprint.bedrockConverse',
    property: 'maxTokens',
    value: "'0'",
    valid: 'a whole number from 1',
    build: withBlueprint(() => ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId('us.amazon.nova-pro-v1:0'), maxTokens: 0 })),
  },
  {
    input: 'ConnectorBlueprint.bedrockAi21Jurassic',
    property: 'model',
    value: "'anthropic.claude-v2'",
    valid: "such as 'ai21.j2-mid-v1'",
    build: withBlueprint(() => ConnectorBlueprint.bedrockAi21Jurassic({ model: BedrockModel.fromId('anthropic.claude-v2') })),
  },
  {
    input: 'ConnectorBlueprint.bedrockOpenAiChatCompletions',
    property: 'model',
    value: "'meta.llama3-70b-instruct-v1:0'",
    valid: 'an OpenAI model',
    build: withBlueprint(() => ConnectorBlueprint.bedrockOpenAiChatCompletions({ model: BedrockModel.fromId('meta.llama3-70b-instruct-v1:0') })),
  },
  {
    input: 'BedrockModel.fromId',
    property: 'model',
    value: "'titan-embed-text-v2'",
    valid: "of the form '<provider>.<model>[:<version>]'",
    build: withBlueprint(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ model: BedrockModel.fromId('titan-embed-text-v2') })),
  },
  {
    input: 'BedrockModel.fromId',
    property: 'model',
    value: "'eu.anthropic.claude-sonnet-4-20250514-v1:0'",
    valid: "Prefixes for us-east-1: 'us.'",
    build: withBlueprint(() => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('eu.anthropic.claude-sonnet-4-20250514-v1:0') })),
  },
  {
    input: 'BedrockModel.applicationInferenceProfile',
    property: 'model',
    value: "'arn:aws:bedrock:us-east-1:111122223333:inference-profile/x'",
    valid: "an application inference profile ARN such as 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6'",
    build: withBlueprint(() => ConnectorBlueprint.bedrockConverse({
      model: BedrockModel.applicationInferenceProfile('arn:aws:bedrock:us-east-1:111122223333:inference-profile/x', { modelSource: 'amazon.nova-pro-v1:0' }),
    })),
  },

  // Comprehend and Textract
  { input: 'ComprehendApi.of', property: 'api', value: "'detect language'", valid: "a Comprehend API such as 'DetectDominantLanguage'", build: withBlueprint(() => ConnectorBlueprint.comprehend({ api: ComprehendApi.of('detect language', '{}') })) },
  {
    input: 'ConnectorBlueprint.comprehend',
    property: 'languageCode',
    value: "'en'",
    valid: 'Leave it out, or choose an API that takes one',
    build: withBlueprint(() => ConnectorBlueprint.comprehend({ api: ComprehendApi.DETECT_DOMINANT_LANGUAGE, languageCode: 'en' })),
  },
  { input: 'ConnectorBlueprint.textractDetectDocumentText', property: 'region', value: "'eu_west_1'", valid: "an AWS region such as 'us-east-1'", build: withBlueprint(() => ConnectorBlueprint.textractDetectDocumentText({ region: 'eu_west_1' })) },

  // OpenSearch Serverless collections
  {
    input: 'MlConnector',
    property: 'collection.collectionName',
    value: "'Vectors'",
    valid: 'a lower-case letter followed by lower-case letters, digits or hyphens',
    build: onCollection({ collectionName: 'Vectors' }),
  },
  {
    input: 'MlConnector',
    property: 'collection.collectionArn',
    value: "'arn:aws:es:us-east-1:111122223333:domain/x'",
    valid: "an OpenSearch Serverless collection ARN such as 'arn:aws:aoss:us-east-1:111122223333:collection/1tg2xudton46knx2a95g'",
    build: onCollection({ collectionArn: 'arn:aws:es:us-east-1:111122223333:domain/x' }),
  },
  {
    input: 'CollectionDataAccess.createPolicy',
    property: 'policyName',
    value: "'ML_Policy'",
    valid: 'a lower-case letter followed by lower-case letters, digits or hyphens',
    build: (s) => new MlConnector(s, 'C', {
      collection: collection({}), collectionDataAccess: CollectionDataAccess.createPolicy('ML_Policy'), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2(),
    }),
  },
  {
    input: 'MlConnector',
    property: 'fineGrainedAccess',
    value: "'manual'",
    valid: 'a collection authorizes ML Commons through its data access policy (collectionDataAccess)',
    build: (s) => new MlConnector(s, 'C', { collection: collection({}), fineGrainedAccess: FineGrainedAccess.manual(), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() }),
  },

  // Third-party (http) blueprints
  {
    input: 'ConnectorBlueprint.openAiEmbedding',
    property: 'apiKeyField',
    value: "'api key'",
    valid: "the name of a field of the secret's JSON, 1 to 256 letters, digits, '_' or '-'",
    build: (s) => connector(s, { blueprint: ConnectorBlueprint.openAiEmbedding({ apiKeySecret: apiKeySecret(s), model: 'text-embedding-3-small', apiKeyField: 'api key' }) }),
  },
  {
    input: 'ConnectorBlueprint.openAiEmbedding',
    property: 'model',
    value: "'text embedding'",
    valid: "a non-empty name without spaces, quotes, '/', '?', '#' or braces, such as 'text-embedding-3-small'",
    build: (s) => connector(s, { blueprint: ConnectorBlueprint.openAiEmbedding({ apiKeySecret: apiKeySecret(s), model: 'text embedding' }) }),
  },
  {
    input: 'ConnectorBlueprint.azureOpenAiEmbedding',
    property: 'endpoint',
    value: "'https://my.openai.azure.com/'",
    valid: "a host name without scheme or path, such as 'my-openai-resource.openai.azure.com'",
    build: (s) => connector(s, {
      trustedEndpoints: ['^https://.*\\.openai\\.azure\\.com/.*$'],
      blueprint: ConnectorBlueprint.azureOpenAiEmbedding({ apiKeySecret: apiKeySecret(s), endpoint: 'https://my.openai.azure.com/', deploymentName: 'd', apiVersion: '2024-10-21' }),
    }),
  },

  // MlModel and MlModelGroup
  { input: 'MlModel', property: 'name', value: "''", valid: 'must not be empty', build: model({ name: '' }) },
  { input: 'MlModel', property: 'name', value: "'titan [v2]'", valid: 'may contain only letters, digits, spaces and the marks', build: model({ name: 'titan [v2]' }) },
  { input: 'MlModel', property: 'description', value: "'a+b'", valid: 'may contain only letters, digits, spaces and the marks', build: model({ description: 'a+b' }) },
  {
    input: 'MlModel',
    property: 'modelConfig.embeddingDimension',
    value: '1024',
    valid: "the connector's blueprint returns vectors of 512",
    build: model({ modelConfig: { embeddingDimension: 1024 } }),
  },
  { input: 'MlModel', property: 'modelConfig.embeddingDimension', value: "'0'", valid: 'a whole number from 1 to 16000', build: model({ modelConfig: { embeddingDimension: 0 } }) },
  { input: 'MlModel', property: 'modelConfig.modelType', value: "'text embedding'", valid: "an ml-commons model type in capitals such as 'TEXT_EMBEDDING'", build: model({ modelConfig: { modelType: 'text embedding' } }) },
  {
    input: 'MlModel',
    property: 'modelConfig.frameworkType',
    value: "'PYTORCH'",
    valid: "one of 'SENTENCE_TRANSFORMERS', 'HUGGINGFACE_TRANSFORMERS', 'HUGGINGFACE_TRANSFORMERS_NEURON'",
    build: model({ modelConfig: { frameworkType: 'PYTORCH' as ModelFrameworkType } }),
  },
  {
    input: 'MlModel',
    property: 'modelConfig.embeddingDimension',
    value: 'none',
    valid: 'Give the length of the vectors the model returns',
    build: (s) => new MlModel(s, 'M', { connector: connector(s, {}), modelConfig: {} }),
  },
  {
    input: 'MlModel',
    property: 'verify',
    value: 'none',
    valid: 'Pass ModelVerification.predict({ parameters: { ... } })',
    build: (s) => new MlModel(s, 'M', { connector: connector(s, {}), modelConfig: { embeddingDimension: 768 }, verify: ModelVerification.predict() }),
  },
  { input: 'MlModel', property: 'deploy', value: 'false', valid: 'Remove verify, or deploy the model', build: model({ deploy: false, verify: ModelVerification.predict() }) },
  {
    input: 'ModelVerification.predict',
    property: 'expectEmbeddingDimension',
    value: "'-1'",
    valid: 'a whole number from 1 to 16000',
    build: model({ verify: ModelVerification.predict({ expectEmbeddingDimension: -1 }) }),
  },
  {
    input: 'MlModel',
    property: 'connector',
    value: 'C',
    valid: 'import it with MlConnector.fromConnectorAttributes({ connectorId, domain })',
    build: (s) => new MlModel(s, 'M', { connector: new ForeignConnector(s, 'C') }),
  },
  {
    input: 'MlModel',
    property: 'modelGroup',
    value: 'G',
    valid: 'a model and its group must be on one',
    build: (s) => new MlModel(s, 'M', {
      connector: connector(s, { blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() }),
      modelGroup: new MlModelGroup(s, 'G', { domain: opensearch.Domain.fromDomainEndpoint(s, 'Other', 'https://search-other-abc.us-east-1.es.amazonaws.com') }),
    }),
  },
  { input: 'MlModelGroup', property: 'name', value: "''", valid: 'must not be empty', build: (s) => new MlModelGroup(s, 'G', { domain: opensearch.Domain.fromDomainEndpoint(s, 'D', ENDPOINT), name: '' }) },
  { input: 'MlModelGroup', property: 'name', value: "'a<b>'", valid: 'may contain only letters, digits, spaces and the marks', build: (s) => new MlModelGroup(s, 'G', { domain: opensearch.Domain.fromDomainEndpoint(s, 'D', ENDPOINT), name: 'a<b>' }) },
  { input: 'MlModelGroup', property: 'description', value: "'100%'", valid: 'may contain only letters, digits, spaces and the marks', build: (s) => new MlModelGroup(s, 'G', { domain: opensearch.Domain.fromDomainEndpoint(s, 'D', ENDPOINT), description: '100%' }) },
  {
    input: 'MlModelGroup',
    property: 'accessMode',
    value: "'shared'",
    valid: "one of 'public', 'private', 'restricted'",
    build: (s) => new MlModelGroup(s, 'G', { domain: opensearch.Domain.fromDomainEndpoint(s, 'D', ENDPOINT), accessMode: 'shared' as ModelGroupAccessMode }),
  },
  {
    input: 'MlModelGroup',
    property: 'domain',
    value: 'neither',
    valid: 'give the domain (an OpenSearch Service domain) or the collection',
    build: (s) => new MlModelGroup(s, 'G', {}),
  },
  // Regions, by aws-cdk-lib's region facts
  {
    input: 'ConnectorBlueprint.bedrockTitanTextEmbeddingV2',
    property: 'region',
    value: "'us-eats-1'",
    valid: "an AWS region such as 'us-east-1' (did you mean 'us-east-1'?)",
    build: withBlueprint(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ region: 'us-eats-1' })),
  },
  {
    input: 'BedrockModel.inferenceProfile',
    property: 'destinationRegions',
    value: "'eu-wset-1'",
    valid: "an AWS region such as 'us-east-1' (did you mean 'eu-west-1'?)",
    build: withBlueprint(() => ConnectorBlueprint.bedrockAnthropicClaude({
      model: BedrockModel.inferenceProfile('us.anthropic.claude-sonnet-4-20250514-v1:0', { destinationRegions: ['us-east-1', 'eu-wset-1'] }),
    })),
  },

  // Placeholders that ml-commons never fills
  { input: 'ConnectorAction', property: 'actions[0].requestBody', value: "'${params.text}'", valid: "never fills (it fills ${parameters.<name>} and ${credential.<name>} only); write '${parameters.text}'", build: withAction({ requestBody: '{ "inputText": "${params.text}" }' }) },
  { input: 'ConnectorAction', property: 'actions[0].requestBody', value: "'${parameter.text}'", valid: "write '${parameters.text}'", build: withAction({ requestBody: '{ "inputText": "${parameter.text}" }' }) },
  { input: 'ConnectorAction', property: 'actions[0].requestBody', value: "'$parameters.text'", valid: "write '${parameters.text}'", build: withAction({ requestBody: '{ "inputText": "$parameters.text" }' }) },
  { input: 'ConnectorAction', property: "actions[0].headers['x-amz-target']", value: "'${api}'", valid: "write '${parameters.api}'", build: withAction({ headers: { 'x-amz-target': '${api}' } }) },
  {
    input: 'ConnectorBlueprint.sageMakerEndpoint',
    property: 'actions[0].requestBody',
    value: "'${parameters}'",
    valid: 'never fills (it fills ${parameters.<name>} and ${credential.<name>} only)',
    build: withBlueprint(() => ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', requestBody: '${parameters}' })),
  },

  // Secrets that are not Secrets Manager secrets
  {
    input: 'FineGrainedAccess.masterUserSecret',
    property: 'fineGrainedAccess masterUserSecret',
    value: "'arn:aws:ssm:us-east-1:111122223333:parameter/opensearch/master'",
    valid: 'must be an AWS Secrets Manager secret',
    build: (s) => connector(s, {
      fineGrainedAccess: FineGrainedAccess.masterUserSecret(secretsmanager.Secret.fromSecretPartialArn(s, 'M', 'arn:aws:ssm:us-east-1:111122223333:parameter/opensearch/master')),
    }),
  },
  {
    input: 'ConnectorBlueprint.openAiChatCompletions',
    property: 'apiKeySecret',
    value: "'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'",
    valid: 'must be an AWS Secrets Manager secret',
    build: (s) => connector(s, {
      blueprint: ConnectorBlueprint.openAiChatCompletions({
        apiKeySecret: secretsmanager.Secret.fromSecretPartialArn(s, 'K', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'), model: 'gpt-4o',
      }),
    }),
  },

  // Blueprints on a domain older than they need
  {
    input: 'ConnectorBlueprint.bedrockConverse',
    property: 'model',
    value: "'amazon.nova-pro-v1:0'",
    valid: 'needs OpenSearch 2.11 or later; the domain runs 2.9',
    build: (s) => connector(s, { domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_9), blueprint: ConnectorBlueprint.bedrockConverse({ model: BedrockModel.fromId('amazon.nova-pro-v1:0') }) }),
  },
  {
    input: 'ConnectorBlueprint.bedrockTitanTextEmbeddingV1',
    property: 'preProcessFunction',
    value: "'connector.pre_process.bedrock.embedding'",
    valid: 'is built into OpenSearch 2.12 and later, but the domain runs 2.11',
    build: (s) => connector(s, {
      domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_11), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV1(),
    }),
  },
  {
    input: 'ConnectorBlueprint.sageMakerEndpoint',
    property: 'preProcessFunction',
    value: "'connector.pre_process.default.embedding'",
    valid: 'is built into OpenSearch 2.11 and later, but the domain runs 2.9',
    build: (s) => connector(s, { domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_9) }),
  },
  {
    input: 'ConnectorBlueprint.bedrockTitanTextEmbeddingV2',
    property: 'postProcessFunction',
    value: "'connector.post_process.bedrock_v2.embedding.binary'",
    valid: 'is built into OpenSearch 3.0 and later, but the domain runs 2.19',
    build: (s) => connector(s, {
      domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_19), blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ embeddingType: 'binary' as any }),
    }),
  },
  {
    input: 'ConnectorBlueprint.bedrockNovaMultimodalEmbedding',
    property: 'preProcessFunction',
    value: "'connector.pre_process.bedrock.nova.image_embedding'",
    valid: 'is built into OpenSearch 3.4 and later, but the domain runs 3.3',
    build: (s) => connector(s, {
      domain: l2Domain(s, opensearch.EngineVersion.openSearch('3.3')), blueprint: ConnectorBlueprint.bedrockNovaMultimodalEmbedding({ modality: 'IMAGE' as any }),
    }),
  },
  {
    input: 'ConnectorBlueprint.bedrockTitanTextEmbeddingV2',
    property: 'omitProcessFunctions',
    value: '2.13',
    valid: 'needs OpenSearch 2.14 or later',
    build: (s) => connector(s, {
      domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_13),
      blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ omitProcessFunctions: true }),
    }),
  },

  // Imported domains and collections: the endpoint says which one, and where
  {
    input: 'Domain.fromDomainAttributes',
    property: 'domain',
    value: "'arn:aws:es:us-east-1:111122223333:domain/prod'",
    valid: 'in us-east-1, and the endpoint \'search-prod-abc123.eu-west-1.es.amazonaws.com\', in eu-west-1: they are not of one domain',
    build: onImported('arn:aws:es:us-east-1:111122223333:domain/prod', 'https://search-prod-abc123.eu-west-1.es.amazonaws.com'),
  },
  {
    input: 'Domain.fromDomainAttributes',
    property: 'domain',
    value: "'arn:aws:es:us-east-1:111122223333:domain/prod'",
    valid: "of the domain 'staging': they are not of one domain",
    build: onImported('arn:aws:es:us-east-1:111122223333:domain/prod', 'https://search-staging-abc123.us-east-1.es.amazonaws.com'),
  },
  {
    input: 'ServerlessCollection.fromCollectionAttributes',
    property: 'collection.collectionEndpoint',
    value: "'https://search-vectors-abc123.us-east-1.es.amazonaws.com'",
    valid: "must be the collection's endpoint, 'https://abc123.<region>.aoss.amazonaws.com'",
    build: onCollection({ collectionEndpoint: 'https://search-vectors-abc123.us-east-1.es.amazonaws.com' }),
  },
  {
    input: 'ServerlessCollection.fromCollectionAttributes',
    property: 'collection.collectionEndpoint',
    value: "'https://def456.us-east-1.aoss.amazonaws.com'",
    valid: "is the endpoint of the collection 'def456', not of collectionId 'abc123'",
    build: onCollection({ collectionEndpoint: 'https://def456.us-east-1.aoss.amazonaws.com' }),
  },
  {
    input: 'ServerlessCollection.fromCollectionAttributes',
    property: 'collection.collectionArn',
    value: "'arn:aws:aoss:eu-west-1:111122223333:collection/abc123'",
    valid: 'is in eu-west-1, but collection.collectionEndpoint \'https://abc123.us-east-1.aoss.amazonaws.com\' is in us-east-1',
    build: onCollection({ collectionArn: 'arn:aws:aoss:eu-west-1:111122223333:collection/abc123' }),
  },

  // Smoke tests and names
  {
    input: 'ModelVerification.predict',
    property: 'expectEmbeddingDimension',
    value: "'768'",
    valid: "the model returns vectors of 512 (the connector's blueprint)",
    build: model({ verify: ModelVerification.predict({ expectEmbeddingDimension: 768 }) }),
  },
  {
    input: 'MlModel',
    property: 'name',
    value: "'titan'",
    valid: 'is also the name of the model without a modelGroup TestStack/A on the same domain',
    build: (s) => {
      const c = connector(s, { blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
      new MlModel(s, 'A', { connector: c, name: 'titan' });
      new MlModel(s, 'B', { connector: c, name: 'titan' });
    },
  },
  {
    input: 'MlModel',
    property: 'name',
    value: "'embeddings'",
    valid: 'is also the name of the model group TestStack/G on the same domain',
    build: (s) => {
      const c = connector(s, { blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
      new MlModelGroup(s, 'G', { domain: c._binding.domain, name: 'embeddings' });
      new MlModel(s, 'M', { connector: c, name: 'embeddings' });
    },
  },

  // Values of the wrong type (from JavaScript, or bindings that do not check types)
  {
    input: 'ConnectorBlueprint.bedrockTitanTextEmbeddingV2',
    property: 'dimensions',
    value: "the string '1024'",
    valid: 'must be a number',
    build: withBlueprint(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: '1024' as any })),
  },
  {
    input: 'ConnectorBlueprint.bedrockTitanTextEmbeddingV2',
    property: 'normalize',
    value: "the string 'false'",
    valid: 'must be a boolean',
    build: withBlueprint(() => ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ normalize: 'false' as any })),
  },
  { input: 'ConnectorBlueprint.bedrockAnthropicClaude', property: 'maxTokens', value: "the string '2048'", valid: 'must be a number', build: withBlueprint(() => ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0'), maxTokens: '2048' as any })) },
  { input: 'ConnectorClientConfig', property: 'clientConfig.maxConnections', value: "the string '10'", valid: 'must be a number', build: (s) => connector(s, { clientConfig: { maxConnections: '10' as any } }) },
  { input: 'MlModel', property: 'deploy', value: "the string 'false'", valid: 'must be a boolean', build: model({ deploy: 'false' as any }) },
  { input: 'MlModel', property: 'modelConfig.embeddingDimension', value: "the string '512'", valid: 'must be a number', build: model({ modelConfig: { embeddingDimension: '512' as any } }) },
  // IngestPipeline, VectorIndex, SearchPipeline (test/bad-input-search.ts)
  ...SEARCH_BAD_INPUTS,
];

/** Inputs that synthesize with a warning: they may be right, or work but not for what they are meant for. */
export const BAD_INPUT_WARNINGS: BadInput[] = [
  {
    input: 'ConnectorBlueprint.sageMakerEndpoint',
    property: 'region',
    value: "'ap-southeast-9'",
    valid: "is not among the AWS regions this app's aws-cdk-lib knows. If it is a new region, upgrade aws-cdk-lib",
    build: (s) => connector(s, { blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', region: 'ap-southeast-9' }), trustedEndpoints: ['^https://.*$'] }),
  },
  {
    input: 'Domain.fromDomainEndpoint',
    property: 'domain endpoint',
    value: "'search.example.com'",
    valid: "is not an Amazon OpenSearch Service endpoint (search-<name>-<id>.<region>.es.amazonaws.com, or vpc-...), so the domain's name and region are a guess",
    build: (s) => connector(s, { domain: opensearch.Domain.fromDomainEndpoint(s, 'D', 'https://search.example.com') }),
  },
  {
    input: 'ConnectorBlueprint.sageMakerSemanticHighlighter',
    property: 'sageMakerSemanticHighlighter',
    value: "'highlighter'",
    valid: 'semantic highlighting, which uses it, needs OpenSearch 3.0 or later',
    build: (s) => connector(s, { domain: l2Domain(s, opensearch.EngineVersion.OPENSEARCH_2_19), blueprint: ConnectorBlueprint.sageMakerSemanticHighlighter({ endpointName: 'highlighter' }) }),
  },
];
