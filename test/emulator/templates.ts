/**
 * ml-commons' connector templating (${parameters.x}) and its trusted-endpoint check.
 */

/** plugins.ml_commons.trusted_connector_endpoints_regex default (ml-commons MLCommonsSettings). */
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

/**
 * Apache commons-text StringSubstitutor with prefix "${parameters." and suffix "}": a known key is replaced,
 * "${parameters.x:-fallback}" falls back to its default, and an unknown key without default stays as written.
 */
export function substituteParameters(template: string, parameters: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{parameters\.([^}]*)\}/g, (whole, expression: string) => {
    const split = expression.indexOf(':-');
    const name = split < 0 ? expression : expression.slice(0, split);
    if (Object.prototype.hasOwnProperty.call(parameters, name)) return parameters[name];
    return split < 0 ? whole : expression.slice(split + 2);
  });
}

/** Java's Matcher.matches(): the whole URL must match one of the patterns. */
export function isTrustedUrl(url: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => pattern.test(url));
}

export function compileTrusted(regexes: readonly string[]): RegExp[] {
  return regexes.map((source) => new RegExp(`^(?:${source})$`));
}
