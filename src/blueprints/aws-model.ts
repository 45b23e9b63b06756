import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { EngineVersionNumber } from '../engine-version';
import { MlValidationError, quote } from '../errors';
import { checkBoolean } from './checks';
import { BlueprintContext, requireEngine } from './context';
import type { ConnectorBlueprintConfig } from './types';

/**
 * Where the model runs, for every blueprint of an AWS model service.
 */
export interface AwsModelOptions {
  /**
   * The region of the model.
   *
   * @default - the domain's region
   */
  readonly region?: string;

  /**
   * A role in the model's AWS account that OpenSearch assumes, through the connector role,
   * to call a model in another account (`credential.externalAccountRoleArn`; OpenSearch 2.15+).
   *
   * The connector role is then allowed `sts:AssumeRole` on this role only, instead of the
   * invoke actions. In the model's account, this role must trust the connector role
   * (`MlConnector.role`) and allow the invoke actions on the model's resources.
   *
   * @default - the model is in the domain's account and is called with the connector role
   */
  readonly externalAccountRoleArn?: string;
}

/**
 * Which ml-commons pre- and post-process functions an embedding connector uses.
 */
export interface ProcessFunctionOptions {
  /**
   * Pre-process function: a built-in such as `connector.pre_process.bedrock.embedding`, or a Painless script.
   *
   * @default - the model's built-in pre-process function
   */
  readonly preProcessFunction?: string;

  /**
   * Post-process function: a built-in such as `connector.post_process.bedrock.embedding`, or a Painless script.
   *
   * @default - the model's built-in post-process function
   */
  readonly postProcessFunction?: string;

  /**
   * Leave out the pre- and post-process functions, as ml-commons' standard blueprints do:
   * an ML inference processor (OpenSearch 2.14+) then maps the model's input and output itself.
   *
   * @default false
   */
  readonly omitProcessFunctions?: boolean;
}

/** `credential.externalAccountRoleArn` needs OpenSearch 2.15. */
export const EXTERNAL_ACCOUNT_SINCE: EngineVersionNumber = [2, 15];

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * A connector without process functions is for the ML inference processors, which map the
 * model's input and output themselves (OpenSearch 2.14).
 */
export const OMIT_PROCESS_FUNCTIONS_SINCE: EngineVersionNumber = [2, 14];

/** The pre- and post-process functions of an action, from a model's defaults and the user's options. */
export function processFunctions(
  scope: IConstruct, context: BlueprintContext, options: ProcessFunctionOptions, defaults: { pre?: string; post?: string },
): { preProcessFunction?: string; postProcessFunction?: string } {
  checkBoolean(scope, 'omitProcessFunctions', options.omitProcessFunctions);
  if (options.omitProcessFunctions) {
    requireEngine(scope, context, OMIT_PROCESS_FUNCTIONS_SINCE, 'blueprint omitProcessFunctions (for the ML inference processors)');
    const given = options.preProcessFunction !== undefined ? 'preProcessFunction' : options.postProcessFunction !== undefined ? 'postProcessFunction' : undefined;
    if (given) {
      throw new MlValidationError(scope, `blueprint ${given} cannot be combined with omitProcessFunctions: true; received ${quote(options[given])}.`);
    }
    return {};
  }
  const pre = options.preProcessFunction ?? defaults.pre;
  const post = options.postProcessFunction ?? defaults.post;
  return {
    ...(pre !== undefined ? { preProcessFunction: pre } : {}),
    ...(post !== undefined ? { postProcessFunction: post } : {}),
  };
}

/**
 * The blueprint configuration for a model in this account, or, with `externalAccountRoleArn`,
 * for a model in another account: the connector role may then only assume that role, which
 * holds the invoke permissions in the model's account.
 */
export function withAccount(
  scope: IConstruct, context: BlueprintContext, options: AwsModelOptions, config: ConnectorBlueprintConfig,
): ConnectorBlueprintConfig {
  const external = options.externalAccountRoleArn;
  if (external === undefined) return config;
  if (!Token.isUnresolved(external) && !ROLE_ARN.test(external)) {
    throw new MlValidationError(scope,
      `blueprint externalAccountRoleArn must be an IAM role ARN such as 'arn:aws:iam::444455556666:role/opensearch-model-access'; received ${quote(external)}.`);
  }
  requireEngine(scope, context, EXTERNAL_ACCOUNT_SINCE, `blueprint externalAccountRoleArn (${quote(external)})`);
  return {
    ...config,
    policyStatements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [external] })],
    externalAccountRoleArn: external,
    wildcardReason: undefined,
  };
}
