import {
  CONTRACT_VERSION, ConnectorBody, ConnectorResourceProperties, ModelGroupResourceProperties, ModelResourceProperties, RoleMappingResourceProperties,
} from '../contract';
import { DeployError } from './errors';

/*
 * The one place where custom-resource properties are read: CloudFormation sends them
 * as strings, and an older construct may have written an older layout.
 */

/** The properties, once their contract version is one this handler understands. */
function checked(raw: Record<string, unknown> | undefined): { version: string; props: Record<string, unknown> } {
  if (!raw) throw new DeployError('The resource has no properties.');
  const version = requireString(raw, 'contractVersion');
  if (!/^\d+$/.test(version) || Number(version) > Number(CONTRACT_VERSION)) {
    throw new DeployError(`The resource was written by a newer cdk-opensearch-ml (contract ${version}) than its provider understands (${CONTRACT_VERSION}); every construct of a stack must come from the same library version.`);
  }
  return { version, props: raw };
}

export function parseRoleMappingProperties(raw: Record<string, unknown> | undefined): RoleMappingResourceProperties {
  const { version, props } = checked(raw);
  const auth = requireString(props, 'auth');
  if (auth !== 'sigv4' && auth !== 'masterUserSecret') {
    throw new DeployError(`The role mapping's auth must be sigv4 or masterUserSecret; received '${auth}'.`);
  }
  return {
    contractVersion: version,
    endpoint: endpointOf(props),
    region: requireString(props, 'region'),
    signingService: requireString(props, 'signingService'),
    role: requireString(props, 'role'),
    backendRole: requireString(props, 'backendRole'),
    auth,
    masterUserSecretArn: auth === 'masterUserSecret' ? requireString(props, 'masterUserSecretArn') : undefined,
  };
}

export function parseConnectorProperties(raw: Record<string, unknown> | undefined): ConnectorResourceProperties {
  const { version, props } = checked(raw);
  const connector = props.connector;
  if (!connector || typeof connector !== 'object' || Array.isArray(connector)) {
    throw new DeployError('The resource property connector must be an object.');
  }
  const typedValues = Array.isArray(props.typedValues) ? props.typedValues.map(String) : [];
  return {
    contractVersion: version,
    endpoint: endpointOf(props),
    region: requireString(props, 'region'),
    signingService: requireString(props, 'signingService'),
    connector: restoreTypes(connector, typedValues) as ConnectorBody,
    typedValues,
    creationToken: typeof props.creationToken === 'string' && props.creationToken.length > 0 ? props.creationToken : undefined,
  };
}

export function parseModelGroupProperties(raw: Record<string, unknown> | undefined): ModelGroupResourceProperties {
  const { version, props } = checked(raw);
  const group = requireObject(props, 'modelGroup');
  requireString(group, 'name');
  return { contractVersion: version, ...targetOf(props), modelGroup: group as unknown as ModelGroupResourceProperties['modelGroup'] };
}

export function parseModelProperties(raw: Record<string, unknown> | undefined): ModelResourceProperties {
  const { version, props } = checked(raw);
  const typedValues = Array.isArray(props.typedValues) ? props.typedValues.map(String) : [];
  const typed = restoreTypes({ model: requireObject(props, 'model'), deploy: props.deploy, verify: props.verify }, typedValues) as Record<string, any>;
  requireString(typed.model, 'name');
  requireString(typed.model, 'connector_id');
  return {
    contractVersion: version,
    ...targetOf(props),
    model: typed.model,
    deploy: typed.deploy !== false && typed.deploy !== 'false',
    ...(typed.verify && typeof typed.verify === 'object' ? { verify: typed.verify } : {}),
    typedValues,
  };
}

function targetOf(props: Record<string, unknown>): { endpoint: string; region: string; signingService: string } {
  return { endpoint: endpointOf(props), region: requireString(props, 'region'), signingService: requireString(props, 'signingService') };
}

function requireObject(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = raw[key];
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DeployError(`The resource property ${key} must be an object.`);
  return value as Record<string, unknown>;
}

/** The domain endpoint as a host name (an https:// prefix or a trailing slash is tolerated). */
function endpointOf(props: Record<string, unknown>): string {
  return requireString(props, 'endpoint').replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

function requireString(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new DeployError(`The resource property ${key} is missing or empty.`);
  }
  return value;
}

/** Gives back the types CloudFormation took from the values at `pointers` (RFC 6901). */
export function restoreTypes(value: unknown, pointers: readonly string[]): unknown {
  const copy = JSON.parse(JSON.stringify(value));
  for (const pointer of pointers) {
    const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop();
    if (last === undefined) continue;
    let parent: any = copy;
    for (const token of tokens) parent = parent?.[token];
    if (parent && typeof parent[last] === 'string') {
      try {
        parent[last] = JSON.parse(parent[last]);
      } catch {
        // not a number, boolean or null after all: leave the string
      }
    }
  }
  return copy;
}
