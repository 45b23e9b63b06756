import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ConnectorAction, ConnectorBlueprintBindOptions, ConnectorBlueprintConfig } from '../blueprint';
import { MlValidationError, quote } from '../errors';
import { validateRegion } from '../validation';
import { partitionOf, runtimeUrl } from './urls';

/** IAM actions that invoke a SageMaker endpoint, synchronously and asynchronously. */
export const SAGEMAKER_INVOKE_ACTIONS: readonly string[] = ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'];

/** SageMaker's rule for endpoint names (CreateEndpoint API). */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * Options for `ConnectorBlueprint.sageMakerEndpoint()`.
 */
export interface SageMakerEndpointOptions {
  /** The name of the SageMaker real-time inference endpoint. */
  readonly endpointName: string;

  /**
   * The region of the endpoint.
   *
   * @default - the domain's region
   */
  readonly region?: string;

  /**
   * The request body template sent to the endpoint.
   *
   * @default '${parameters.input}', with ml-commons' default embedding pre- and post-process functions
   */
  readonly requestBody?: string;

  /**
   * Pre-process function: a built-in such as `connector.pre_process.default.embedding`, or a Painless script.
   *
   * @default - `connector.pre_process.default.embedding` when `requestBody` is not given, otherwise none
   */
  readonly preProcessFunction?: string;

  /**
   * Post-process function: a built-in such as `connector.post_process.default.embedding`, or a Painless script.
   *
   * @default - `connector.post_process.default.embedding` when `requestBody` is not given, otherwise none
   */
  readonly postProcessFunction?: string;

  /**
   * HTTP headers sent to the endpoint, added to (or replacing) the default content type.
   *
   * @default { 'content-type': 'application/json' }
   */
  readonly headers?: { [name: string]: string };
}

export function sageMakerEndpointConfig(
  scope: Construct, options: SageMakerEndpointOptions, bind: ConnectorBlueprintBindOptions,
): ConnectorBlueprintConfig {
  const name = options.endpointName;
  if (!Token.isUnresolved(name) && !ENDPOINT_NAME.test(name)) {
    throw new MlValidationError(scope,
      `blueprint endpointName must be 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit; received ${quote(name)}.`);
  }
  const region = options.region ?? bind.domainRegion;
  validateRegion(scope, 'blueprint region', region);

  const defaultBody = options.requestBody === undefined;
  const action: ConnectorAction = {
    actionType: 'predict',
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    url: `${runtimeUrl('runtime.sagemaker', region)}/endpoints/${name}/invocations`,
    requestBody: options.requestBody ?? '${parameters.input}',
    preProcessFunction: options.preProcessFunction ?? (defaultBody ? 'connector.pre_process.default.embedding' : undefined),
    postProcessFunction: options.postProcessFunction ?? (defaultBody ? 'connector.post_process.default.embedding' : undefined),
  };

  // Endpoint ARNs hold the name in lower case, whatever case it was created with.
  const endpointArn = Stack.of(scope).formatArn({
    partition: partitionOf(region),
    service: 'sagemaker',
    region,
    resource: 'endpoint',
    resourceName: Token.isUnresolved(name) ? name : name.toLowerCase(),
  });

  const known = !Token.isUnresolved(name);
  return {
    serviceName: 'sagemaker',
    region,
    defaultName: known ? `sagemaker: ${name}` : 'sagemaker endpoint',
    defaultDescription: known ? `Amazon SageMaker endpoint ${name}` : 'Amazon SageMaker endpoint',
    parameters: {},
    actions: [action],
    policyStatements: [new iam.PolicyStatement({ actions: [...SAGEMAKER_INVOKE_ACTIONS], resources: [endpointArn] })],
  };
}
