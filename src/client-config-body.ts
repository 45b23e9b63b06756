import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { ConnectorClientConfig } from './client-config';
import { EngineVersionNumber, atLeast, formatVersion } from './engine-version';
import { MlValidationError, quote, requireType } from './errors';

const CLIENT_CONFIG_SINCE: EngineVersionNumber = [2, 13];
const RETRIES_SINCE: EngineVersionNumber = [2, 15];

/**
 * `client_config` as ml-commons spells it, for a domain of `engineVersion` (undefined when
 * unknown, as for imported domains: the current units, seconds, are used then).
 */
export function clientConfigBody(
  scope: IConstruct, config: ConnectorClientConfig, engineVersion: EngineVersionNumber | undefined,
): Record<string, unknown> {
  if (engineVersion && !atLeast(engineVersion, CLIENT_CONFIG_SINCE)) {
    throw new MlValidationError(scope, `clientConfig needs OpenSearch ${formatVersion(CLIENT_CONFIG_SINCE)} or later; the domain runs ${formatVersion(engineVersion)}.`);
  }
  const retrySettings = (['maxRetries', 'retryBackoff', 'retryTimeout', 'retryBackoffPolicy'] as const).filter((k) => config[k] !== undefined);
  if (engineVersion && retrySettings.length > 0 && !atLeast(engineVersion, RETRIES_SINCE)) {
    throw new MlValidationError(scope,
      `clientConfig.${retrySettings[0]} needs OpenSearch ${formatVersion(RETRIES_SINCE)} or later; the domain runs ${formatVersion(engineVersion)}.`);
  }
  // 2.13 and 2.14 read the timeouts as milliseconds; 2.15 and later as seconds.
  const timeoutsInMillis = engineVersion !== undefined && !atLeast(engineVersion, RETRIES_SINCE);
  const timeout = (name: string, d: Duration | undefined) => {
    if (d === undefined) return undefined;
    if (timeoutsInMillis) return d.toMilliseconds();
    return wholeSeconds(scope, `clientConfig.${name}`, d);
  };
  integer(scope, 'clientConfig.maxConnections', config.maxConnections, 1);
  integer(scope, 'clientConfig.maxRetries', config.maxRetries, -1);
  const body: Record<string, unknown> = {
    max_connection: config.maxConnections,
    connection_timeout: timeout('connectionTimeout', config.connectionTimeout),
    read_timeout: timeout('readTimeout', config.readTimeout),
    max_retry_times: config.maxRetries,
    retry_backoff_millis: config.retryBackoff === undefined ? undefined : wholeMillis(scope, 'clientConfig.retryBackoff', config.retryBackoff),
    retry_timeout_seconds: config.retryTimeout === undefined ? undefined : wholeSeconds(scope, 'clientConfig.retryTimeout', config.retryTimeout),
    retry_backoff_policy: config.retryBackoffPolicy,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

function wholeSeconds(scope: IConstruct, property: string, d: Duration): number {
  const ms = d.toMilliseconds();
  if (!Token.isUnresolved(ms) && ms % 1000 !== 0) {
    throw new MlValidationError(scope, `${property} must be whole seconds (ml-commons reads it in seconds); received ${quote(d.toHumanString())}.`);
  }
  return d.toSeconds();
}

function wholeMillis(scope: IConstruct, property: string, d: Duration): number {
  const ms = d.toMilliseconds({ integral: false });
  if (!Token.isUnresolved(ms) && !Number.isInteger(ms)) {
    throw new MlValidationError(scope, `${property} must be whole milliseconds (ml-commons reads it in milliseconds); received '${ms} millis'.`);
  }
  return ms;
}

function integer(scope: IConstruct, property: string, value: number | undefined, min: number): void {
  requireType(scope, property, value, 'number');
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min) {
    throw new MlValidationError(scope, `${property} must be a whole number of at least ${min}; received ${quote(value)}.`);
  }
}
