import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { MlValidationError, quote } from '../errors';
import { validateJsonTemplate, validateRegion } from '../validation';
import { AwsModelOptions, withAccount } from './aws-model';
import type { BlueprintContext } from './context';
import type { ConnectorBlueprintConfig } from './types';
import { runtimeUrl } from './urls';

/*
 * Amazon Comprehend's real-time analysis APIs (Comprehend_20171127.<Api>), as ml-commons'
 * Comprehend blueprint calls them.
 */

const TEXT = '{ "Text": "${parameters.Text}"}';
const TEXT_AND_LANGUAGE = '{ "Text": "${parameters.Text}", "LanguageCode": "${parameters.LanguageCode}"}';
const API_NAME = /^[A-Z][A-Za-z]+$/;

/**
 * An Amazon Comprehend real-time API that analyses one text, with its request body.
 */
export class ComprehendApi {
  /** The dominant language of a text (`Text`). */
  public static readonly DETECT_DOMINANT_LANGUAGE = new ComprehendApi('DetectDominantLanguage', TEXT);

  /** Named entities (`Text`, `LanguageCode`). */
  public static readonly DETECT_ENTITIES = new ComprehendApi('DetectEntities', TEXT_AND_LANGUAGE);

  /** Key phrases (`Text`, `LanguageCode`). */
  public static readonly DETECT_KEY_PHRASES = new ComprehendApi('DetectKeyPhrases', TEXT_AND_LANGUAGE);

  /** Personally identifiable information (`Text`, `LanguageCode`). */
  public static readonly DETECT_PII_ENTITIES = new ComprehendApi('DetectPiiEntities', TEXT_AND_LANGUAGE);

  /** Overall sentiment (`Text`, `LanguageCode`). */
  public static readonly DETECT_SENTIMENT = new ComprehendApi('DetectSentiment', TEXT_AND_LANGUAGE);

  /** Parts of speech (`Text`, `LanguageCode`). */
  public static readonly DETECT_SYNTAX = new ComprehendApi('DetectSyntax', TEXT_AND_LANGUAGE);

  /** Sentiment towards each entity (`Text`, `LanguageCode`). */
  public static readonly DETECT_TARGETED_SENTIMENT = new ComprehendApi('DetectTargetedSentiment', TEXT_AND_LANGUAGE);

  /**
   * Another Comprehend API, by its name (for example `ContainsPiiEntities`) and request body
   * template. The connector role may call `comprehend:<apiName>`.
   */
  public static of(apiName: string, requestBody: string): ComprehendApi {
    return new ComprehendApi(apiName, requestBody);
  }

  /** The API name, which is also the IAM action (`comprehend:<apiName>`). */
  public readonly apiName: string;

  /** The request body template. */
  public readonly requestBody: string;

  private constructor(apiName: string, requestBody: string) {
    this.apiName = apiName;
    this.requestBody = requestBody;
  }
}

/**
 * Options for `ConnectorBlueprint.comprehend()`.
 */
export interface ComprehendOptions extends AwsModelOptions {
  /** The API the connector calls. */
  readonly api: ComprehendApi;

  /**
   * The language of the texts (`LanguageCode`), for APIs that take one; a prediction may pass another.
   *
   * @default - given with each prediction (`LanguageCode` parameter)
   */
  readonly languageCode?: string;
}

/** Comprehend's real-time detect actions on its built-in models name no resource (Service Authorization Reference). */
export const COMPREHEND_WILDCARD_REASON =
  'Amazon Comprehend\'s real-time analysis actions on its built-in models have no resource type in IAM, so they can only be allowed on "*"; the role gets exactly the one action the connector calls.';

export function comprehendConfig(scope: IConstruct, options: ComprehendOptions, context: BlueprintContext): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  validateRegion(scope, 'blueprint region', region);
  const api = options.api;
  if (!Token.isUnresolved(api.apiName) && !API_NAME.test(api.apiName)) {
    throw new MlValidationError(scope, `blueprint api must name a Comprehend API such as 'DetectDominantLanguage'; received ${quote(api.apiName)}.`);
  }
  validateJsonTemplate(scope, 'blueprint api.requestBody', api.requestBody);
  if (options.languageCode !== undefined && !api.requestBody.includes('${parameters.LanguageCode}')) {
    throw new MlValidationError(scope,
      `blueprint languageCode is not used by ${api.apiName}, whose request body has no \${parameters.LanguageCode}; received ${quote(options.languageCode)}. ` +
      'Leave it out, or choose an API that takes one, such as ComprehendApi.DETECT_ENTITIES.');
  }
  return withAccount(scope, context, options, {
    serviceName: 'comprehend',
    region,
    defaultName: `comprehend: ${api.apiName}`,
    defaultDescription: `Amazon Comprehend ${api.apiName}`,
    parameters: {
      api_version: '20171127',
      api_name: api.apiName,
      api: 'Comprehend_${parameters.api_version}.${parameters.api_name}',
      response_filter: '$',
      ...(options.languageCode !== undefined ? { LanguageCode: options.languageCode } : {}),
    },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: runtimeUrl('${parameters.service_name}', region),
      headers: { 'X-Amz-Target': '${parameters.api}', 'content-type': 'application/x-amz-json-1.1' },
      requestBody: api.requestBody,
    }],
    policyStatements: [new iam.PolicyStatement({ actions: [`comprehend:${api.apiName}`], resources: ['*'] })],
    wildcardReason: COMPREHEND_WILDCARD_REASON,
  });
}
