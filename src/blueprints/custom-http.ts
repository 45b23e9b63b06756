import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { MlValidationError } from '../errors';
import { HTTP_PROTOCOL, secretReadStatements } from './api-key';
import type { BlueprintContext } from './context';
import type { ConnectorAction, ConnectorBlueprintConfig } from './types';

/**
 * Options for `ConnectorBlueprint.customHttp()`.
 */
export interface CustomHttpConnectorOptions {
  /**
   * The secret whose JSON holds the API key. Headers read it as `${credential.secretArn.<field>}`,
   * for example `{ Authorization: 'Bearer ${credential.secretArn.api_key}' }`.
   */
  readonly apiKeySecret: secretsmanager.ISecret;

  /** The connector's actions. Their URLs must be among the domain's trusted connector endpoints. */
  readonly actions: ConnectorAction[];

  /**
   * The connector's parameters. Values that are not strings are sent as they are; ml-commons stores them as JSON text.
   *
   * @default - none
   */
  readonly parameters?: { [key: string]: any };

  /**
   * Connector name used when the connector gives none.
   *
   * @default 'HTTP connector'
   */
  readonly defaultName?: string;

  /**
   * Connector description used when the connector gives none.
   *
   * @default 'Connector to a third-party model API'
   */
  readonly defaultDescription?: string;
}

export function customHttpConfig(
  scope: IConstruct, options: CustomHttpConnectorOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const readsKey = options.actions.some((action) => Object.values(action.headers ?? {}).some((value) => value.includes('${credential.secretArn.')));
  if (options.actions.length > 0 && !readsKey) {
    throw new MlValidationError(scope,
      'blueprint actions must send the API key in a header as ${credential.secretArn.<field of the secret\'s JSON>} (for example Authorization: \'Bearer ${credential.secretArn.api_key}\'); no header reads it.');
  }
  return {
    protocol: HTTP_PROTOCOL,
    serviceName: 'http',
    region: context.domainRegion,
    defaultName: options.defaultName ?? 'HTTP connector',
    defaultDescription: options.defaultDescription ?? 'Connector to a third-party model API',
    parameters: { ...options.parameters },
    actions: options.actions,
    secretArn: options.apiKeySecret.secretArn,
    policyStatements: secretReadStatements(options.apiKeySecret),
  };
}
