import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { ConnectorAction, ConnectorBlueprint, MlConnector, MlConnectorProps, RetryBackoffPolicy } from '../src';
import { testDomain, testStack } from './util';

function imported(stack: Stack) {
  return opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-x-abc.us-east-1.es.amazonaws.com');
}

function custom(action: Partial<ConnectorAction>, extra: Record<string, unknown> = {}) {
  return ConnectorBlueprint.custom({
    serviceName: 'bedrock',
    actions: [{ actionType: 'predict', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke', ...action }],
    invokeActions: ['bedrock:InvokeModel'],
    invokeResources: ['arn:aws:bedrock:us-east-1::foundation-model/m'],
    ...extra,
  });
}

function build(props: Partial<MlConnectorProps>) {
  const stack = testStack();
  return () => new MlConnector(stack, 'C', {
    domain: props.domain ?? imported(stack),
    blueprint: props.blueprint ?? ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }),
    ...props,
  });
}

describe('synth-time validation names the property and the value', () => {
  test.each([
    ['empty name', { name: '' }, /TestStack\/C: name must not be empty; received ''/],
    ['blank name', { name: '   ' }, /name must not be empty; received '   '/],
    ['over-long name', { name: 'n'.repeat(257) }, /name must be at most 256 characters .*received 257 characters: 'nnnn/],
  ])('%s', (_, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('a name of 256 characters is fine', () => {
    expect(build({ name: 'n'.repeat(256) })).not.toThrow();
  });

  test('request body that is not JSON once placeholders are filled', () => {
    const blueprint = ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', requestBody: '{ "inputs": ${parameters.inputs} ' });
    expect(build({ blueprint })).toThrow(/actions\[0\]\.requestBody must be JSON once its \$\{parameters\.\*\} placeholders are filled .*received '\{ "inputs": \$\{parameters\.inputs\} '/);
  });

  test.each([
    ['placeholder standing for a value', '{ "inputs": ${parameters.inputs:-[]} }'],
    ['placeholder inside a string', '{ "q": "${parameters.q}" }'],
    ['the whole body is a placeholder', '${parameters.input}'],
    ['escaped quotes before a placeholder', '{ "q": "say \\"${parameters.q}\\"" }'],
  ])('request body accepted: %s', (_, requestBody) => {
    expect(build({ blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', requestBody }) })).not.toThrow();
  });

  test('a non-JSON content type is not checked as JSON', () => {
    const blueprint = ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', requestBody: '${parameters.a},${parameters.b}', headers: { 'content-type': 'text/csv' } });
    expect(build({ blueprint })).not.toThrow();
  });

  test('action URL that is not https', () => {
    expect(build({ blueprint: custom({ url: 'http://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke' }) }))
      .toThrow(/actions\[0\]\.url must be an https:\/\/ URL; received 'http:\/\/bedrock-runtime/);
  });

  test('action URL the trusted-endpoint patterns would reject, after parameters are filled', () => {
    expect(build({ blueprint: custom({ url: 'https://${parameters.host}/v1/invoke' }, { parameters: { host: 'models.example.com' } }) }))
      .toThrow(/actions\[0\]\.url 'https:\/\/models\.example\.com\/v1\/invoke' matches none of the domain's trusted connector endpoints .*trustedEndpoints property/);
  });

  test('textract and comprehend endpoints must have no path, as the patterns say', () => {
    const withPath = custom({ url: 'https://comprehend.us-east-1.amazonaws.com/' });
    expect(build({ blueprint: withPath })).toThrow(/matches none of the domain's trusted connector endpoints/);
    const withoutPath = custom({ url: 'https://comprehend.${parameters.region}.amazonaws.com' });
    expect(build({ blueprint: withoutPath })).not.toThrow();
  });

  test('trustedEndpoints widens what is accepted; a broken pattern is reported', () => {
    const blueprint = custom({ url: 'https://models.example.com/v1/invoke' });
    expect(build({ blueprint, trustedEndpoints: ['^https://models\\.example\\.com/.*$'] })).not.toThrow();
    expect(build({ blueprint, trustedEndpoints: ['^https://(unclosed'] })).toThrow(/trustedEndpoints\[0\] is not a regular expression .*received '\^https:\/\/\(unclosed'/);
  });

  test('unknown action type', () => {
    expect(build({ blueprint: custom({ actionType: 'infer' }) }))
      .toThrow(/actions\[0\]\.actionType must be one of predict, execute, batch_predict, cancel_batch_predict, batch_predict_status; received 'infer'/);
  });

  test('action types are case-insensitive, as in ml-commons', () => {
    expect(build({ blueprint: custom({ actionType: 'PREDICT' }) })).not.toThrow();
  });

  test('unknown HTTP method', () => {
    expect(build({ blueprint: custom({ method: 'FETCH' }) })).toThrow(/actions\[0\]\.method must be one of GET, POST, PUT, DELETE, PATCH, HEAD; received 'FETCH'/);
  });

  test.each(['Authorization', 'x-api-key', 'Host', 'cookie'])('${parameters.*} in the %s header', (header) => {
    expect(build({ blueprint: custom({ headers: { [header]: 'Bearer ${parameters.token}' } }) }))
      .toThrow(new RegExp(`actions\\[0\\]\\.headers\\['${header}'\\] may not contain \\$\\{parameters\\.\\*\\} placeholders .*received 'Bearer \\$\\{parameters\\.token\\}'`));
  });

  test('${credential.*} in an authorization header is the supported way', () => {
    expect(build({ blueprint: custom({ headers: { Authorization: 'Bearer ${credential.key}' } }) })).not.toThrow();
  });

  test.each(['us-east1', 'US-EAST-1', 'useast-1', ''])('malformed region %p', (region) => {
    expect(build({ blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', region }) }))
      .toThrow(new RegExp(`blueprint region must be an AWS region such as 'us-east-1'( \\(did you mean '[a-z0-9-]+'\\?\\))?; received '${region}'`));
  });

  test.each([['us-eats-1', 'us-east-1'], ['eu-wset-2', 'eu-west-2'], ['ap-south-east-1', 'ap-southeast-1']])(
    'a region that is not an AWS region (%p) fails, naming the nearest one', (region, nearest) => {
      expect(build({ blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', region }), trustedEndpoints: ['^https://.*$'] }))
        .toThrow(`blueprint region must be an AWS region such as 'us-east-1' (did you mean '${nearest}'?); received '${region}'.`);
    });

  test('a region shaped like one that aws-cdk-lib does not know yet is a warning, not an error: AWS opens regions before aws-cdk-lib knows them', () => {
    const stack = testStack();
    new MlConnector(stack, 'C', {
      domain: opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-x-abc.us-east-1.es.amazonaws.com'),
      blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', region: 'ap-southeast-9' }),
      trustedEndpoints: ['^https://.*$'],
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/C', Match.stringLikeRegexp(
      "blueprint region 'ap-southeast-9' is not among the AWS regions this app's aws-cdk-lib knows. If it is a new region, upgrade aws-cdk-lib"));
  });

  test('a region that is a token is not checked', () => {
    const stack = testStack({});
    expect(() => new MlConnector(stack, 'C', {
      domain: opensearch.Domain.fromDomainEndpoint(stack, 'D', 'https://search-x-abc.us-east-1.es.amazonaws.com'),
      blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', region: Aws.REGION }),
    })).not.toThrow();
  });

  test.each(['us-gov-west-1', 'cn-northwest-1', 'ap-southeast-5', 'eusc-de-east-1'])('region %p is well-formed', (region) => {
    expect(build({ blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', region }), trustedEndpoints: ['^https://.*$'] })).not.toThrow();
  });

  test.each(['my_endpoint', '-leading', 'trailing-', 'e'.repeat(64), ''])('malformed endpoint name %p', (endpointName) => {
    expect(build({ blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName }) }))
      .toThrow(/blueprint endpointName must be 1 to 63 letters, digits and hyphens/);
  });

  test.each([
    [opensearch.EngineVersion.OPENSEARCH_2_7, 'OpenSearch_2.7'],
    [opensearch.EngineVersion.OPENSEARCH_1_3, 'OpenSearch_1.3'],
    [opensearch.EngineVersion.ELASTICSEARCH_7_10, 'Elasticsearch_7.10'],
  ])('an L2 domain older than OpenSearch 2.9 (%p)', (version, label) => {
    const stack = testStack();
    const domain = testDomain(stack, version);
    expect(() => new MlConnector(stack, 'C', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }) }))
      .toThrow(new RegExp(`domain runs '${label}', but ML Commons connectors need OpenSearch 2\\.9 or later`));
  });

  test.each([opensearch.EngineVersion.OPENSEARCH_2_9, opensearch.EngineVersion.OPENSEARCH_2_19, opensearch.EngineVersion.openSearch('3.1')])(
    'OpenSearch %p is new enough', (version) => {
      const stack = testStack();
      const blueprint = ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e', requestBody: '{ "inputs": "${parameters.inputs}" }' });
      expect(() => new MlConnector(stack, 'C', { domain: testDomain(stack, version), blueprint })).not.toThrow();
    });

  describe('custom blueprint input', () => {
    test('service name', () => {
      expect(build({ blueprint: custom({}, { serviceName: 'Bedrock Runtime' }) })).toThrow(/blueprint serviceName must be a SigV4 signing name such as 'bedrock'; received 'Bedrock Runtime'/);
    });
    test('region and service_name come from their own properties', () => {
      expect(build({ blueprint: custom({}, { parameters: { region: 'us-west-2' } }) })).toThrow(/blueprint parameters may not set 'region'; it comes from the region property \(received 'us-west-2'\)/);
      expect(build({ blueprint: custom({}, { parameters: { service_name: 'x' } }) })).toThrow(/may not set 'service_name'; it comes from the serviceName property/);
    });
    test('invoke actions and resources', () => {
      expect(build({ blueprint: custom({}, { invokeActions: [] }) })).toThrow(/invokeActions must name at least one IAM action/);
      expect(build({ blueprint: custom({}, { invokeActions: ['InvokeModel'] }) })).toThrow(/invokeActions must be IAM actions such as 'bedrock:InvokeModel'; received 'InvokeModel'/);
      expect(build({ blueprint: custom({}, { invokeResources: [] }) })).toThrow(/invokeResources must list the ARNs the connector calls; received none/);
    });
    test('at least one action', () => {
      expect(build({ blueprint: ConnectorBlueprint.custom({ serviceName: 's', actions: [], invokeActions: ['s:A'], invokeResources: ['arn:aws:s:::x'] }) }))
        .toThrow(/actions must list at least one action \(predict, .*\); received none/);
    });
  });
});

describe('client config', () => {

  function clientConfigOf(version: opensearch.EngineVersion | undefined, clientConfig: any) {
    const stack = testStack();
    const domain = version ? testDomain(stack, version) : imported(stack);
    new MlConnector(stack, 'C', { domain, blueprint: ConnectorBlueprint.sageMakerEndpoint({ endpointName: 'e' }), clientConfig });
    const resources = Template.fromStack(stack).findResources('Custom::OpenSearchMlConnector');
    const [resource] = Object.values(resources) as any[];
    return { body: resource.Properties.connector.client_config, typed: resource.Properties.typedValues };
  }

  test('timeouts are seconds from OpenSearch 2.15, and every number is restored by the handler', () => {
    const { body, typed } = clientConfigOf(opensearch.EngineVersion.OPENSEARCH_2_19, {
      maxConnections: 10,
      connectionTimeout: Duration.seconds(5),
      readTimeout: Duration.minutes(1),
      maxRetries: 3,
      retryBackoff: Duration.millis(500),
      retryTimeout: Duration.seconds(60),
      retryBackoffPolicy: RetryBackoffPolicy.EXPONENTIAL_FULL_JITTER,
    });
    expect(body).toEqual({
      max_connection: 10,
      connection_timeout: 5,
      read_timeout: 60,
      max_retry_times: 3,
      retry_backoff_millis: 500,
      retry_timeout_seconds: 60,
      retry_backoff_policy: 'exponential_full_jitter',
    });
    expect(typed).toEqual(expect.arrayContaining(['/client_config/max_connection', '/client_config/read_timeout', '/client_config/retry_backoff_millis']));
  });

  test('timeouts are milliseconds on OpenSearch 2.13 and 2.14', () => {
    const { body } = clientConfigOf(opensearch.EngineVersion.OPENSEARCH_2_13, {
      connectionTimeout: Duration.seconds(5),
      readTimeout: Duration.millis(2500),
    });
    expect(body).toEqual({ connection_timeout: 5000, read_timeout: 2500 });
  });

  test('an imported domain (version unknown) gets the current units, seconds', () => {
    expect(clientConfigOf(undefined, { readTimeout: Duration.seconds(45) }).body).toEqual({ read_timeout: 45 });
  });

  test('retries before 2.15, client config before 2.13, and fractions of seconds are refused', () => {
    expect(() => clientConfigOf(opensearch.EngineVersion.OPENSEARCH_2_13, { maxRetries: 2 }))
      .toThrow(/clientConfig\.maxRetries needs OpenSearch 2\.15 or later; the domain runs 2\.13/);
    expect(() => clientConfigOf(opensearch.EngineVersion.OPENSEARCH_2_11, { maxConnections: 5 }))
      .toThrow(/clientConfig needs OpenSearch 2\.13 or later; the domain runs 2\.11/);
    expect(() => clientConfigOf(opensearch.EngineVersion.OPENSEARCH_2_19, { readTimeout: Duration.millis(1500) }))
      .toThrow(/clientConfig\.readTimeout must be whole seconds .*received '1 second 500 millis'/);
    expect(() => clientConfigOf(opensearch.EngineVersion.OPENSEARCH_2_19, { maxConnections: 0 }))
      .toThrow(/clientConfig\.maxConnections must be a whole number of at least 1; received '0'/);
  });
});
