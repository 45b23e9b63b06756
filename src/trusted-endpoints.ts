/**
 * ml-commons' default `plugins.ml_commons.trusted_connector_endpoints_regex`
 * (MLCommonsSettings, OpenSearch 2.16 and later). Every action URL of a connector must
 * fully match one of them after `${parameters.*}` substitution, or the create call fails.
 * 2.9 trusted only SageMaker, OpenAI and Cohere; 2.11 added bedrock-runtime.
 */
export const DEFAULT_TRUSTED_ENDPOINTS: readonly string[] = [
  '^https://runtime\\.sagemaker\\..*[a-z0-9-]\\.amazonaws\\.com/.*$',
  '^https://api\\.sagemaker\\..*[a-z0-9-]\\.amazonaws\\.com/.*$',
  '^https://api\\.openai\\.com/.*$',
  '^https://api\\.cohere\\.ai/.*$',
  '^https://api\\.deepseek\\.com/.*$',
  '^https://bedrock-runtime\\..*[a-z0-9-]\\.amazonaws\\.com/.*$',
  '^https://bedrock-agent-runtime\\..*[a-z0-9-]\\.amazonaws\\.com/.*$',
  '^https://bedrock\\..*[a-z0-9-]\\.amazonaws\\.com/.*$',
  '^https://textract\\..*[a-z0-9-]\\.amazonaws\\.com$',
  '^https://comprehend\\..*[a-z0-9-]\\.amazonaws\\.com$',
  '^https://rekognition(-fips)?\\..*[a-z0-9-]\\.amazonaws\\.com$',
];
