import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { MlValidationError, quote } from '../errors';
import { validateSecretArn } from '../validation';
import type { ConnectorAction, ConnectorBlueprintConfig, EmbeddingModelInfo, GenerativeQaModelInfo } from './types';

/*
 * Third-party model APIs (protocol `http`): the API key stays in AWS Secrets Manager. The
 * connector body names the secret (`credential.secretArn`) and the role OpenSearch reads it
 * with (`credential.roleArn`); headers read one field of the secret's JSON with
 * `${credential.secretArn.<field>}`. The key itself is never in the template, a property,
 * a log line or a response: only the secret's ARN is.
 */

/**
 * Where a third-party model API's key is kept: a field of a JSON secret in AWS Secrets Manager.
 */
export interface ApiKeyOptions {
  /**
   * The secret that holds the API key, as a JSON object such as `{"openAI_key": "sk-..."}`.
   * Only its ARN goes into the template; the connector role may read exactly this secret
   * (`secretsmanager:GetSecretValue`) and, when the secret has a customer managed key,
   * decrypt with that key through Secrets Manager only.
   */
  readonly apiKeySecret: secretsmanager.ISecret;

  /**
   * The field of the secret's JSON that holds the API key.
   *
   * @default - the credential name of ml-commons' blueprint for the provider, for example `openAI_key`
   */
  readonly apiKeyField?: string;
}

/** The protocol of third-party model APIs. */
export const HTTP_PROTOCOL = 'http';

/** The protocol of AWS services, signed with the connector role. */
export const AWS_SIGV4_PROTOCOL = 'aws_sigv4';

/** Characters of a secret field name that `${credential.secretArn.<field>}` can carry. */
const FIELD = /^[A-Za-z0-9_-]{1,256}$/;

/** The number of random characters Secrets Manager appends to a secret's name in its ARN ('-' and 6 characters). */
const ARN_SUFFIX_WILDCARD = '-??????';

/** What every third-party blueprint produces from `ApiKeyOptions`. */
export interface ApiKey {
  /** `${credential.secretArn.<field>}`, the placeholder headers use */
  readonly placeholder: string;
  /** `credential.secretArn` */
  readonly secretArn: string;
  /** exactly what reading the secret needs */
  readonly policyStatements: iam.PolicyStatement[];
}

/** The secret's placeholder, ARN and read permissions, with the field checked. */
export function apiKey(scope: IConstruct, options: ApiKeyOptions, defaultField: string): ApiKey {
  validateSecretArn(scope, 'blueprint apiKeySecret', options.apiKeySecret.secretArn);
  const field = options.apiKeyField ?? defaultField;
  if (!Token.isUnresolved(field) && !FIELD.test(field)) {
    throw new MlValidationError(scope,
      `blueprint apiKeyField must be the name of a field of the secret's JSON, 1 to 256 letters, digits, '_' or '-' (it is read as \${credential.secretArn.<field>}); received ${quote(field)}.`);
  }
  return {
    placeholder: `\${credential.secretArn.${field}}`,
    secretArn: options.apiKeySecret.secretArn,
    policyStatements: secretReadStatements(options.apiKeySecret),
  };
}

/**
 * `secretsmanager:GetSecretValue` on exactly the secret, and `kms:Decrypt` on its customer
 * managed key (if any) only when Secrets Manager asks for it.
 *
 * A secret imported by name or by partial ARN (`Secret.fromSecretNameV2`, `fromSecretPartialArn`)
 * has no complete ARN: the ARN Secrets Manager gives it ends with '-' and 6 random characters,
 * which IAM must match. The resource is then `<partial ARN>-??????` (exactly 6 characters),
 * which matches this secret and no secret whose name merely starts with the same text.
 */
export function secretReadStatements(secret: secretsmanager.ISecret): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'],
    resources: [secret.secretFullArn ?? `${secret.secretArn}${ARN_SUFFIX_WILDCARD}`],
  })];
  if (secret.encryptionKey) {
    statements.push(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [secret.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${secret.env.region}.amazonaws.com` } },
    }));
  }
  return statements;
}

/** The parts of a third-party blueprint that differ from provider to provider. */
export interface HttpParts {
  /** the provider, for messages (`serviceName` of the configuration, which `http` connectors do not send) */
  readonly provider: string;
  readonly defaultName: string;
  readonly defaultDescription: string;
  readonly parameters: { [key: string]: any };
  readonly actions: ConnectorAction[];
  /** the embedding dimension and a probe input, for an embedding model */
  readonly embedding?: EmbeddingModelInfo;
  /** how the RAG search processor calls it, for a chat model it can call */
  readonly generativeQa?: GenerativeQaModelInfo;
  /** a probe input, for a chat model */
  readonly probeParameters?: { [key: string]: any };
}

/** The configuration of an `http` connector whose API key is read from `key`'s secret. */
export function httpConfig(region: string, key: ApiKey, parts: HttpParts): ConnectorBlueprintConfig {
  return {
    protocol: HTTP_PROTOCOL,
    serviceName: parts.provider,
    region,
    defaultName: parts.defaultName,
    defaultDescription: parts.defaultDescription,
    parameters: parts.parameters,
    actions: parts.actions,
    secretArn: key.secretArn,
    policyStatements: key.policyStatements,
    ...(parts.embedding ? { embedding: parts.embedding } : {}),
    ...(parts.generativeQa ? { generativeQa: parts.generativeQa } : {}),
    ...(parts.probeParameters ? { probeParameters: parts.probeParameters } : {}),
  };
}

/**
 * The connector's credential and the parameters it sends, from its blueprint configuration:
 * `{ roleArn }` (and `externalAccountRoleArn`) with `region` and `service_name` for `aws_sigv4`,
 * `{ secretArn, roleArn }` for `http`. Rejects configurations ml-commons on Amazon OpenSearch
 * Service would refuse or could not use.
 */
export function credentialOf(
  scope: IConstruct, config: ConnectorBlueprintConfig, roleArn: string,
): { protocol: string; parameters: { [key: string]: any }; credential: Record<string, string> } {
  const protocol = config.protocol ?? AWS_SIGV4_PROTOCOL;
  if (!Token.isUnresolved(protocol) && protocol !== AWS_SIGV4_PROTOCOL && protocol !== HTTP_PROTOCOL) {
    throw new MlValidationError(scope, `blueprint protocol must be '${AWS_SIGV4_PROTOCOL}' or '${HTTP_PROTOCOL}'; received ${quote(protocol)}.`);
  }
  if (protocol === HTTP_PROTOCOL) {
    if (config.secretArn === undefined) {
      throw new MlValidationError(scope,
        "an 'http' connector needs the secret that holds its API key (secretArn): Amazon OpenSearch Service reads third-party API keys from AWS Secrets Manager; received none.");
    }
    if (config.externalAccountRoleArn !== undefined) {
      throw new MlValidationError(scope,
        `externalAccountRoleArn applies to AWS models (aws_sigv4), not to an 'http' connector; received ${quote(config.externalAccountRoleArn)}.`);
    }
    validateCredentialPlaceholders(scope, config.actions);
    return { protocol, parameters: { ...config.parameters }, credential: { secretArn: config.secretArn, roleArn } };
  }
  if (config.secretArn !== undefined) {
    throw new MlValidationError(scope,
      `secretArn applies to 'http' connectors; an '${AWS_SIGV4_PROTOCOL}' connector calls the model with its role; received ${quote(config.secretArn)}.`);
  }
  return {
    protocol,
    parameters: { region: config.region, service_name: config.serviceName, ...config.parameters },
    credential: { roleArn, ...(config.externalAccountRoleArn ? { externalAccountRoleArn: config.externalAccountRoleArn } : {}) },
  };
}

const CREDENTIAL_PLACEHOLDER = /\$\{credential\.([^}]*)\}/g;

/**
 * In an `http` connector with a secret, the credential holds only `secretArn` and `roleArn`:
 * any other `${credential.<name>}` would be sent as written, and the API would refuse the call.
 */
function validateCredentialPlaceholders(scope: IConstruct, actions: readonly ConnectorAction[]): void {
  actions.forEach((action, index) => {
    for (const [name, value] of Object.entries(action.headers ?? {})) {
      if (Token.isUnresolved(value)) continue;
      for (const match of value.matchAll(CREDENTIAL_PLACEHOLDER)) {
        const field = match[1].startsWith('secretArn.') ? match[1].slice('secretArn.'.length) : undefined;
        if (field === undefined || !FIELD.test(field)) {
          throw new MlValidationError(scope,
            `actions[${index}].headers['${name}'] must read the API key as \${credential.secretArn.<field of the secret's JSON>}; received ${quote(value)}.`);
        }
      }
    }
  });
}
