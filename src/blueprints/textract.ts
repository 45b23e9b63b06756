import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { validateRegion } from '../validation';
import { AwsModelOptions, withAccount } from './aws-model';
import type { BlueprintContext } from './context';
import type { ConnectorBlueprintConfig } from './types';
import { runtimeUrl } from './urls';

/*
 * Amazon Textract DetectDocumentText, as ml-commons' Textract blueprint calls it.
 */

/**
 * Options for `ConnectorBlueprint.textractDetectDocumentText()`.
 */
export interface TextractDetectDocumentTextOptions extends AwsModelOptions {}

/** DetectDocumentText names no resource in IAM (Service Authorization Reference). */
export const TEXTRACT_WILDCARD_REASON =
  'Amazon Textract DetectDocumentText has no resource type in IAM, so it can only be allowed on "*"; the role gets exactly this one action.';

export function textractDetectDocumentTextConfig(
  scope: IConstruct, options: TextractDetectDocumentTextOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const region = options.region ?? context.domainRegion;
  validateRegion(scope, 'blueprint region', region);
  return withAccount(scope, context, options, {
    serviceName: 'textract',
    region,
    defaultName: 'textract: DetectDocumentText',
    defaultDescription: 'Amazon Textract DetectDocumentText',
    parameters: { api_name: 'DetectDocumentText', api: 'Textract.${parameters.api_name}' },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'X-Amz-Target': '${parameters.api}' },
      url: runtimeUrl('${parameters.service_name}', region),
      requestBody: '{  "Document": { "Bytes": "${parameters.bytes}" }  } ',
    }],
    policyStatements: [new iam.PolicyStatement({ actions: ['textract:DetectDocumentText'], resources: ['*'] })],
    wildcardReason: TEXTRACT_WILDCARD_REASON,
  });
}
