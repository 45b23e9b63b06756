/*
 * The last line of defence for "no secret in a log line or a CloudFormation response":
 * every text that leaves the handler passes through redact(). Secrets it learns at run
 * time (credentials of the environment, passwords fetched later) are registered here.
 */

const secrets = new Set<string>();

/** Remembers a secret value so that redact() removes it wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/Signature=[0-9a-f]{64}/g, 'Signature=[redacted]'],
  [/(Basic|Bearer)\s+[A-Za-z0-9+/=._-]{8,}/g, '$1 [redacted]'],
  [/\b(A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b/g, '[redacted access key]'],
  [/("(?:password|secret_key|session_token|access_key|api_key|secret)"\s*:\s*)"[^"]*"/gi, '$1"[redacted]"'],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    out = out.split(secret).join('[redacted]');
  }
  for (const [pattern, replacement] of PATTERNS) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

/** Registers the credentials the Lambda environment provides. */
export function registerEnvironmentSecrets(env: NodeJS.ProcessEnv = process.env): void {
  registerSecret(env.AWS_SECRET_ACCESS_KEY);
  registerSecret(env.AWS_SESSION_TOKEN);
}
