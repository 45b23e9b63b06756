import { Annotations, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MlValidationError, quote } from '../errors';
import { validateRegion } from '../validation';
import type { BlueprintContext } from './context';
import type { ConnectorAction, ConnectorBlueprintConfig } from './types';

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;

/**
 * Options for `ConnectorBlueprint.custom()`.
 */
export interface CustomConnectorOptions {
  /** The SigV4 signing name of the service, for example `bedrock` or `comprehend`. */
  readonly serviceName: string;

  /** The connector's actions. */
  readonly actions: ConnectorAction[];

  /**
   * Connector parameters besides `region` and `service_name`, which come from `region`
   * and `serviceName`. Values that are not strings are sent as they are; ml-commons stores them as JSON text.
   *
   * @default - none
   */
  readonly parameters?: { [key: string]: any };

  /** IAM actions the connector role needs to call the model, for example `comprehend:DetectDominantLanguage`. */
  readonly invokeActions: string[];

  /** ARNs the invoke actions apply to. Use exact ARNs: `*` is accepted only with a warning. */
  readonly invokeResources: string[];

  /**
   * The region of the model's service.
   *
   * @default - the domain's region
   */
  readonly region?: string;

  /**
   * Connector name used when the connector gives none.
   *
   * @default - '<serviceName> connector'
   */
  readonly defaultName?: string;

  /**
   * Connector description used when the connector gives none.
   *
   * @default - 'Connector to <serviceName>'
   */
  readonly defaultDescription?: string;
}

export function customConfig(scope: Construct, options: CustomConnectorOptions, context: BlueprintContext): ConnectorBlueprintConfig {
  const service = options.serviceName;
  if (!Token.isUnresolved(service) && !SERVICE_NAME.test(service)) {
    throw new MlValidationError(scope, `blueprint serviceName must be a SigV4 signing name such as 'bedrock'; received ${quote(service)}.`);
  }
  const region = options.region ?? context.domainRegion;
  validateRegion(scope, 'blueprint region', region);

  for (const reserved of ['region', 'service_name']) {
    if (options.parameters && reserved in options.parameters) {
      throw new MlValidationError(scope,
        `blueprint parameters may not set '${reserved}'; it comes from the ${reserved === 'region' ? 'region' : 'serviceName'} property (received ${quote(options.parameters[reserved])}).`);
    }
  }
  if (options.invokeActions.length === 0) {
    throw new MlValidationError(scope, 'blueprint invokeActions must name at least one IAM action, such as \'comprehend:DetectDominantLanguage\'; received none.');
  }
  for (const action of options.invokeActions) {
    if (!Token.isUnresolved(action) && !IAM_ACTION.test(action)) {
      throw new MlValidationError(scope, `blueprint invokeActions must be IAM actions such as 'bedrock:InvokeModel'; received ${quote(action)}.`);
    }
  }
  if (options.invokeResources.length === 0) {
    throw new MlValidationError(scope, 'blueprint invokeResources must list the ARNs the connector calls; received none.');
  }
  if (options.invokeResources.includes('*')) {
    Annotations.of(scope).addWarningV2('cdk-opensearch-ml:wildcardInvokeResource',
      'blueprint invokeResources contains \'*\': the connector role may invoke every resource of these actions. List the exact ARNs instead.');
  }

  return {
    serviceName: service,
    region,
    defaultName: options.defaultName ?? `${service} connector`,
    defaultDescription: options.defaultDescription ?? `Connector to ${service}`,
    parameters: { ...options.parameters },
    actions: options.actions,
    policyStatements: [new iam.PolicyStatement({ actions: options.invokeActions, resources: options.invokeResources })],
  };
}
