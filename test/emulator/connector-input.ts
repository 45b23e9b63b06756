/**
 * ml-commons' parsing and validation of connector create/update bodies (MLCreateConnectorInput, ConnectorAction,
 * ConnectorClientConfig, AwsConnector, the trusted-endpoint and header checks), with the messages ml-commons uses.
 */
import { illegalArgument } from './errors';
import { isTrustedUrl, substituteParameters } from './templates';
import { EngineVersion } from './version';
import { expectArray, expectObject, readBoolean, readInt, readStringMap, readText } from './xcontent';

export interface ConnectorActionDoc {
  readonly action_type: string;
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly request_body?: string;
  readonly pre_process_function?: string;
  readonly post_process_function?: string;
}

export interface ConnectorInput {
  name?: string;
  description?: string;
  version?: string;
  protocol?: string;
  parameters: Record<string, string>;
  credential: Record<string, string>;
  actions?: ConnectorActionDoc[];
  backendRoles?: string[];
  addAllBackendRoles?: boolean;
  accessMode?: string;
  clientConfig?: Record<string, number | string>;
}

/** ActionType enum constants and the engine version that introduced each. */
const ACTION_TYPES: ReadonlyArray<readonly [string, number, number]> = [
  ['PREDICT', 2, 9],
  ['EXECUTE', 2, 15],
  ['BATCH_PREDICT', 2, 17],
  ['CANCEL_BATCH_PREDICT', 2, 17],
  ['BATCH_PREDICT_STATUS', 2, 17],
];

const INT_CLIENT_CONFIG_2_13 = ['max_connection', 'connection_timeout', 'read_timeout'];
const INT_CLIENT_CONFIG_2_15 = ['retry_backoff_millis', 'retry_timeout_seconds', 'max_retry_times'];
const RETRY_BACKOFF_POLICIES = ['CONSTANT', 'EXPONENTIAL_EQUAL_JITTER', 'EXPONENTIAL_FULL_JITTER'];

/** AbstractConnector.BLOCKED_DYNAMIC_HEADERS: headers that may not be templated from request parameters. */
const BLOCKED_DYNAMIC_HEADERS = new Set([
  'authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token', 'x-auth-header', 'x-forwarded-for',
  'x-real-ip', 'x-client-ip', 'cf-connecting-ip', 'true-client-ip', 'x-originating-ip', 'host', 'x-forwarded-host',
  'x-forwarded-server', 'forwarded',
]);

/** MLCreateConnectorInput.parse: known fields are read with their types, unknown fields are skipped. */
export function parseConnectorInput(body: unknown, version: EngineVersion): ConnectorInput {
  const input: ConnectorInput = { parameters: {}, credential: {} };
  for (const [field, value] of Object.entries(expectObject(body))) {
    readField(input, field, value, version);
  }
  return input;
}

function readField(input: ConnectorInput, field: string, value: unknown, version: EngineVersion): void {
  switch (field) {
    case 'name': input.name = readText(value); break;
    case 'description': input.description = readText(value); break;
    case 'version': input.version = readText(value); break;
    case 'protocol': input.protocol = readText(value); break;
    case 'parameters': input.parameters = parameterMap(value); break;
    case 'credential': input.credential = readStringMap(value); break;
    case 'actions': input.actions = expectArray(value).map((action) => parseAction(action, version)); break;
    case 'backend_roles': input.backendRoles = expectArray(value).map(readText); break;
    case 'add_all_backend_roles': input.addAllBackendRoles = readBoolean(value); break;
    case 'access_mode': input.accessMode = readText(value); break;
    case 'client_config':
      // Before 2.13 the field is unknown to the parser and skipped like any other unknown field.
      if (version.atLeast(2, 13)) input.clientConfig = parseClientConfig(value, version);
      break;
    default:
      break;
  }
}

/** StringUtils.getParameterMap: strings are kept, anything else is stored as its JSON text. */
function parameterMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(expectObject(value))) {
    result[key] = typeof item === 'string' ? item : JSON.stringify(item);
  }
  return result;
}

function parseAction(value: unknown, version: EngineVersion): ConnectorActionDoc {
  const fields: Record<string, string | Record<string, string>> = {};
  for (const [field, item] of Object.entries(expectObject(value))) {
    switch (field) {
      case 'action_type': fields.action_type = parseActionType(readText(item), version); break;
      case 'headers': fields.headers = readStringMap(item); break;
      case 'method':
      case 'url':
      case 'request_body':
      case 'pre_process_function':
      case 'post_process_function':
        fields[field] = readText(item);
        break;
      default:
        break;
    }
  }
  // The ConnectorAction constructor checks in this order.
  if (fields.action_type === undefined) throw illegalArgument("action type can't be null");
  if (fields.url === undefined) throw illegalArgument("url can't be null");
  if (fields.method === undefined) throw illegalArgument("method can't be null");
  return orderedAction(fields);
}

/** ConnectorAction.toXContent field order. */
function orderedAction(fields: Record<string, string | Record<string, string>>): ConnectorActionDoc {
  const ordered: Record<string, unknown> = {};
  for (const key of ['action_type', 'method', 'url', 'headers', 'request_body', 'pre_process_function', 'post_process_function']) {
    if (fields[key] !== undefined) ordered[key] = fields[key];
  }
  return ordered as unknown as ConnectorActionDoc;
}

/** ActionType.valueOf(text.toUpperCase()) against the enum of this engine version. */
function parseActionType(text: string, version: EngineVersion): string {
  const upper = text.toUpperCase();
  const known = ACTION_TYPES.some(([name, major, minor]) => name === upper && version.atLeast(major, minor));
  if (!known) {
    throw illegalArgument(`No enum constant org.opensearch.ml.common.connector.ConnectorAction.ActionType.${upper}`);
  }
  return upper;
}

/** ConnectorClientConfig.parse, limited to the fields the engine version knows; only given fields are stored. */
function parseClientConfig(value: unknown, version: EngineVersion): Record<string, number | string> {
  const intFields = version.atLeast(2, 15) ? [...INT_CLIENT_CONFIG_2_13, ...INT_CLIENT_CONFIG_2_15] : INT_CLIENT_CONFIG_2_13;
  const result: Record<string, number | string> = {};
  for (const [field, item] of Object.entries(expectObject(value))) {
    if (intFields.includes(field)) {
      result[field] = readInt(item);
    } else if (field === 'retry_backoff_policy' && version.atLeast(2, 15)) {
      result[field] = parseRetryBackoffPolicy(readText(item));
    }
  }
  return result;
}

function parseRetryBackoffPolicy(text: string): string {
  if (!RETRY_BACKOFF_POLICIES.includes(text.toUpperCase())) throw illegalArgument('Unsupported retry backoff policy');
  return text.toLowerCase();
}

/** The MLCreateConnectorInput constructor checks, which only run on create (not on update). */
export function checkRequiredFields(input: ConnectorInput): void {
  if (input.name === undefined) throw illegalArgument('Connector name is null');
  if (input.version === undefined) throw illegalArgument('Connector version is null');
  if (input.protocol === undefined) throw illegalArgument('Connector protocol is null');
  if (!isMcpProtocol(input.protocol) && Object.keys(input.credential).length === 0) {
    throw illegalArgument('Connector credential is null or empty list');
  }
}

function isMcpProtocol(protocol: string): boolean {
  return protocol === 'mcp_sse' || protocol === 'mcp_streamable_http';
}

/**
 * Connector.createConnector: the protocol picks the connector class, and AwsConnector validates its credential.
 * On Amazon OpenSearch Service the aws_sigv4 credential is an IAM role, not an access key pair. An http
 * connector's credential is only required to be non-empty: on the managed service it names the secret that
 * holds the API key and the role that reads it (`{ secretArn, roleArn }`), and the role is checked for
 * iam:PassRole like any other (pipeline.ts).
 */
export function validateProtocol(
  protocol: string,
  credential: Record<string, string>,
  parameters: Record<string, string>,
  version: EngineVersion,
): void {
  if (isMcpProtocol(protocol) && version.atLeast(3, 0)) {
    throw illegalArgument('The MCP connector is not enabled. To enable, please update the setting plugins.ml_commons.mcp_connector_enabled');
  }
  if (protocol !== 'http' && protocol !== 'aws_sigv4') {
    throw illegalArgument(`Can't find class for type ${protocol}`);
  }
  if (protocol === 'aws_sigv4') {
    if (!credential.roleArn) throw illegalArgument('Invalid Arguments empty Role ARN');
    if (credential.service_name === undefined && parameters.service_name === undefined) throw illegalArgument('Missing service name');
    if (credential.region === undefined && parameters.region === undefined) throw illegalArgument('Missing region');
  }
}

/** Connector.validateConnectorURL: every action URL, after parameter substitution, must fully match a trusted regex. */
export function validateActionUrls(
  actions: readonly ConnectorActionDoc[] | undefined,
  parameters: Record<string, string>,
  trusted: readonly RegExp[],
  version?: EngineVersion,
): void {
  if (actions === undefined || actions.length === 0) throw illegalArgument('No actions configured for this connector');
  for (const action of actions) {
    const url = substituteParameters(action.url, parameters);
    if (!isTrustedUrl(url, trusted)) {
      // 2.19 names the URL; 3.x does not (measured on real 2.19.6 and 3.6.0 in test/real).
      const named = version && version.atLeast(2, 19) && !version.atLeast(3, 0) ? `, URL is: ${url}` : '';
      throw illegalArgument(`Connector URL is not matching the trusted connector endpoint regex${named}`);
    }
  }
}

/** AbstractConnector.validateConnectorHeaders: credentials-bearing headers may only use ${credential.*}. */
export function validateActionHeaders(actions: readonly ConnectorActionDoc[] | undefined): void {
  for (const action of actions ?? []) {
    for (const [name, value] of Object.entries(action.headers ?? {})) {
      if (/\$\{parameters\.[^}]+\}/.test(value) && BLOCKED_DYNAMIC_HEADERS.has(name.toLowerCase())) {
        throw illegalArgument(`Header '${name}' cannot use \${parameters.*} placeholders for security reasons. Use \${credential.*} instead.`);
      }
    }
  }
}

/** With connector access control off (the default), the access-control fields are refused outright. */
export function rejectAccessControlFields(input: ConnectorInput): void {
  if (input.accessMode !== undefined || input.addAllBackendRoles !== undefined || (input.backendRoles?.length ?? 0) > 0) {
    throw illegalArgument('You cannot specify connector access control parameters because the Security plugin or connector access control is disabled on your cluster.');
  }
}
