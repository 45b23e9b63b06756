/*
 * AWS Secrets Manager: the master user of a domain's internal user database, read at run
 * time by ARN. The value is never in the template, the resource properties, a log line or
 * a response. Every value read is registered for redaction at once.
 */
import { Deadline } from '../deadline';
import { DeployError, readErrorAnswer } from '../errors';
import { registerSecret } from '../redact';
import { AwsService, callAwsApi } from './aws-api';
import type { BasicCredentials } from './opensearch';

const SECRETS_MANAGER: AwsService = { signingName: 'secretsmanager', endpointPrefix: 'secretsmanager', endpointVariable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' };

export async function readMasterUser(secretArn: string, deadline: Deadline, providerRoleArn?: string): Promise<BasicCredentials> {
  const region = secretArn.split(':')[3];
  if (!region) throw new DeployError(`The master user secret ${secretArn} is not a Secrets Manager ARN.`);
  const response = await callAwsApi(SECRETS_MANAGER, {
    region,
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    body: JSON.stringify({ SecretId: secretArn }),
    deadline,
    idempotent: true,
  });
  if (response.status !== 200) {
    const answer = readErrorAnswer(response);
    const type = (response.json as { __type?: string } | undefined)?.__type ?? answer.type ?? `HTTP ${response.status}`;
    throw new DeployError(`Could not read the master user secret ${secretArn}: Secrets Manager answered ${response.status} ${type}: ${answer.reason}. ` +
      `Let ${providerRoleArn ?? 'the provider role'} call secretsmanager:GetSecretValue on it (and kms:Decrypt on its key), and check that it exists in ${region}.`);
  }
  const secretString = (response.json as { SecretString?: unknown } | undefined)?.SecretString;
  registerSecret(typeof secretString === 'string' ? secretString : undefined);
  let value: { username?: unknown; password?: unknown } | undefined;
  try {
    value = typeof secretString === 'string' ? JSON.parse(secretString) : undefined;
  } catch {
    value = undefined;
  }
  if (!value || typeof value.username !== 'string' || typeof value.password !== 'string' || value.password.length === 0) {
    throw new DeployError(`The master user secret ${secretArn} must hold JSON with "username" and "password" strings (its value is not shown).`);
  }
  registerSecret(value.password);
  return { username: value.username, password: value.password };
}
