import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { EngineVersionNumber } from '../engine-version';
import { MlValidationError, quote } from '../errors';
import { validateRegion } from '../validation';
import { AwsModelOptions, withAccount } from './aws-model';
import { BedrockModel, GEOGRAPHIES, geographyOf } from './bedrock-model';
import { BlueprintContext, requireEngine } from './context';
import type { ConnectorAction, ConnectorBlueprintConfig, EmbeddingModelInfo, GenerativeQaModelInfo } from './types';
import { partitionOf, runtimeUrl } from './urls';

/*
 * What every Amazon Bedrock blueprint shares: model ID checks, the runtime URL and the
 * IAM statements for foundation models and inference profiles.
 */

/** Model invocation, Converse and the OpenAI-compatible Chat Completions API are all authorized by bedrock:InvokeModel. */
export const BEDROCK_INVOKE_ACTIONS: readonly string[] = ['bedrock:InvokeModel'];

/** `<provider>.<model>[:<version>[:<variant>]]`, for example `amazon.titan-embed-text-v2:0`. */
const MODEL_ID = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9._-]*(:[a-z0-9]+)*$/;
/** `<geography>.<provider>.<model>...`, for example `us.anthropic.claude-sonnet-4-20250514-v1:0`. */
const PROFILE_ID = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9._-]*(:[a-z0-9]+)*$/;
const APPLICATION_PROFILE_ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):(\d{12}):application-inference-profile\/[a-zA-Z0-9]+$/;

/** A family of models one blueprint knows the request format of. */
export interface ModelFamily {
  /** what the user reads, for example 'an Anthropic Claude model' */
  readonly description: string;
  /** matched against the foundation model ID (without any inference profile prefix) */
  readonly pattern: RegExp;
  /** a model ID of the family, for the error message */
  readonly example: string;
}

/** `https://bedrock-runtime.${parameters.region}.amazonaws.com/model/${parameters.model}/<operation>` */
export function bedrockModelUrl(region: string, operation: string): string {
  return `${runtimeUrl('bedrock-runtime', region)}/model/\${parameters.model}/${operation}`;
}

/**
 * Checks the model by its shape (and, for a blueprint of one model family, that it belongs to
 * the family), and that an inference profile can be called from `region`. Tokens are skipped.
 */
export function checkModel(scope: IConstruct, region: string, model: BedrockModel, family?: ModelFamily): void {
  const id = model.id;
  if (Token.isUnresolved(id)) {
    if (model._kind === 'application-inference-profile') {
      throw new MlValidationError(scope,
        'blueprint model: the ARN of an application inference profile must be a literal, because it is URL-encoded into the connector\'s model parameter at synth time; received a token.');
    }
    return;
  }
  const example = family?.example ?? 'amazon.titan-embed-text-v2:0';
  switch (model._kind) {
    case 'foundation-model':
      if (geographyOf(id) !== undefined) {
        throw new MlValidationError(scope,
          `blueprint model ${quote(id)} is a cross-Region inference profile ID, not a foundation model ID; use BedrockModel.inferenceProfile() or BedrockModel.fromId().`);
      }
      if (!MODEL_ID.test(id)) {
        throw new MlValidationError(scope,
          `blueprint model must be a Bedrock model ID of the form '<provider>.<model>[:<version>]' such as ${quote(example)}, or an inference profile ID with a geography prefix (${geographyList()}); received ${quote(id)}.`);
      }
      break;
    case 'inference-profile':
      if (!PROFILE_ID.test(id)) {
        throw new MlValidationError(scope,
          `blueprint model must be an inference profile ID of the form '<geography>.<provider>.<model>[:<version>]' such as ${quote(`us.${example}`)}, with a geography prefix such as ${geographyList()}; received ${quote(id)}.`);
      }
      checkGeography(scope, region, id);
      break;
    case 'application-inference-profile':
      checkApplicationProfile(scope, region, model);
      break;
  }
  const foundation = model._foundationModelId;
  if (family && !Token.isUnresolved(foundation) && !family.pattern.test(foundation)) {
    throw new MlValidationError(scope,
      `blueprint model must be ${family.description} (model IDs matching ${family.pattern}, such as ${quote(family.example)}, optionally with an inference profile prefix); received ${quote(id)}.`);
  }
}

function geographyList(): string {
  return Object.keys(GEOGRAPHIES).map((g) => `'${g}.'`).join(', ');
}

function checkGeography(scope: IConstruct, region: string, profileId: string): void {
  const geography = geographyOf(profileId);
  if (geography === undefined || Token.isUnresolved(region)) return;
  if (!GEOGRAPHIES[geography].accepts(region)) {
    const allowed = Object.entries(GEOGRAPHIES).filter(([, g]) => g.accepts(region)).map(([prefix]) => `'${prefix}.'`);
    throw new MlValidationError(scope,
      `blueprint model ${quote(profileId)} is an inference profile of the '${geography}' geography, which is called from ${GEOGRAPHIES[geography].label} Regions; the connector's region is ${quote(region)}. ` +
      `Prefixes for ${region}: ${allowed.join(', ') || 'none'}, or a foundation model ID without a prefix.`);
  }
}

function checkApplicationProfile(scope: IConstruct, region: string, model: BedrockModel): void {
  const arn = model.id;
  const match = APPLICATION_PROFILE_ARN.exec(arn);
  if (!match) {
    throw new MlValidationError(scope,
      `blueprint model must be an application inference profile ARN such as 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6'; received ${quote(arn)}.`);
  }
  if (!Token.isUnresolved(region) && match[1] !== region) {
    throw new MlValidationError(scope,
      `blueprint model ${quote(arn)} is an application inference profile in ${match[1]}, but the connector's region is ${quote(region)}; set the blueprint region to ${quote(match[1])}.`);
  }
  const source = model._modelSource ?? '';
  if (Token.isUnresolved(source)) return;
  if (geographyOf(source) !== undefined) {
    checkModel(scope, region, BedrockModel.inferenceProfile(source));
  } else {
    checkModel(scope, region, BedrockModel.foundationModel(source));
  }
}

/** The value of the connector's `model` parameter: an ARN is URL-encoded, as it sits in the URL path. */
export function modelParameter(model: BedrockModel): string {
  return model._kind === 'application-inference-profile' ? encodeURIComponent(model.id) : model.id;
}

export interface BedrockStatements {
  readonly statements: iam.PolicyStatement[];
  readonly wildcardReason?: string;
}

/**
 * Exactly what invoking `model` from `region` needs: the foundation model ARN (its account
 * field is empty); for an inference profile, the profile and the foundation model in every
 * destination Region, only through the profile.
 */
export function bedrockStatements(scope: IConstruct, model: BedrockModel, region: string): BedrockStatements {
  const stack = Stack.of(scope);
  const partition = partitionOf(region);
  const foundationModel = (r: string) => stack.formatArn({
    partition, service: 'bedrock', region: r, account: '', resource: 'foundation-model', resourceName: model._foundationModelId,
  });
  const systemProfile = (id: string) => stack.formatArn({ partition, service: 'bedrock', region, resource: 'inference-profile', resourceName: id });
  const invoke = (resources: string[], profileArns?: string[]) => new iam.PolicyStatement({
    actions: [...BEDROCK_INVOKE_ACTIONS],
    resources,
    ...(profileArns ? { conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArns.length === 1 ? profileArns[0] : profileArns } } } : {}),
  });
  const throughProfiles = (profileArns: string[], routes: boolean): BedrockStatements => {
    const regions = model._destinationRegions;
    regions.forEach((r) => validateRegion(scope, 'blueprint destinationRegions', r));
    if (regions.length > 0) return { statements: [invoke(profileArns), invoke(regions.map(foundationModel), profileArns)] };
    if (!routes) return { statements: [invoke(profileArns), invoke([foundationModel(region)], profileArns)] };
    return {
      statements: [invoke(profileArns), invoke([foundationModel('*')], profileArns)],
      wildcardReason: `A cross-Region inference profile routes each request to one of its destination Regions, which differ from model to model and change over time, so ${model._foundationModelId} is allowed in any Region, but only through the inference profile (condition bedrock:InferenceProfileArn). Give destinationRegions to list them.`,
    };
  };

  switch (model._kind) {
    case 'inference-profile':
      return throughProfiles([systemProfile(model.id)], true);
    case 'application-inference-profile': {
      const source = model._modelSource ?? '';
      if (geographyOf(source) !== undefined) {
        return throughProfiles([model.id, systemProfile(source)], true);
      }
      return throughProfiles([model.id], false);
    }
    default:
      return { statements: [invoke([foundationModel(region)])] };
  }
}

/** The parts of a Bedrock blueprint that differ from model to model. */
export interface BedrockParts {
  readonly model: BedrockModel;
  readonly family?: ModelFamily;
  readonly defaultDescription: string;
  /** parameters besides region, service_name and model */
  readonly parameters: Record<string, unknown>;
  readonly actions: ConnectorAction[];
  /** the connector parameter that holds the model ID (default 'model') */
  readonly modelParameterName?: string;
  /** the embedding dimension and a probe input, for an embedding model */
  readonly embedding?: EmbeddingModelInfo;
  /** how the RAG search processor calls it, for a chat model it can call */
  readonly generativeQa?: GenerativeQaModelInfo;
  /** a probe input, for a chat model */
  readonly probeParameters?: { [key: string]: any };
}

/** Bedrock connectors need OpenSearch 2.11: bedrock-runtime is among the trusted connector endpoints from then. */
export const BEDROCK_SINCE: EngineVersionNumber = [2, 11];

/** Assembles a Bedrock blueprint: checks the model, adds the `model` parameter and the IAM statements. */
export function bedrockConfig(
  scope: IConstruct, context: BlueprintContext, options: AwsModelOptions, parts: BedrockParts,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  validateRegion(scope, 'blueprint region', region);
  checkModel(scope, region, parts.model, parts.family);
  requireEngine(scope, context, BEDROCK_SINCE,
    `blueprint model ${quote(parts.model.id)} (Amazon Bedrock, whose runtime endpoint OpenSearch trusts from 2.11)`);
  const { statements, wildcardReason } = bedrockStatements(scope, parts.model, region);
  const id = parts.model.id;
  return withAccount(scope, context, options, {
    serviceName: 'bedrock',
    region,
    defaultName: Token.isUnresolved(id) ? 'bedrock model' : `bedrock: ${id}`.slice(0, 256),
    defaultDescription: parts.defaultDescription,
    parameters: { ...parts.parameters, [parts.modelParameterName ?? 'model']: modelParameter(parts.model) },
    actions: parts.actions,
    policyStatements: statements,
    ...(wildcardReason ? { wildcardReason } : {}),
    ...(parts.embedding ? { embedding: parts.embedding } : {}),
    ...(parts.generativeQa ? { generativeQa: parts.generativeQa } : {}),
    ...(parts.probeParameters ? { probeParameters: parts.probeParameters } : {}),
  });
}

/** The content type header every Bedrock runtime call sends; most blueprints add the SHA-256 payload header. */
export function bedrockHeaders(sha256 = false): { [name: string]: string } {
  return sha256 ? { 'content-type': 'application/json', 'x-amz-content-sha256': 'required' } : { 'content-type': 'application/json' };
}
