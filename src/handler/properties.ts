/*
 * What every parser of resource properties shares. Each resource type reads its properties in
 * its own parse() (resources/<type>.ts), with these readers, and nothing else reads them:
 * CloudFormation sends every scalar as a string, and an older construct may have written an
 * older layout.
 */
import { CONTRACT_VERSION, DomainTarget } from '../contract';
import { DeployError } from './errors';

/** Custom-resource properties as CloudFormation delivers them. */
export type RawProperties = Record<string, unknown> | undefined;

export interface Checked {
  readonly contractVersion: string;
  /** the properties, with the types of the values that typedValues lists given back */
  readonly props: Record<string, unknown>;
  readonly typedValues: string[];
}

/**
 * The properties, once their contract version is one this handler understands, with the types
 * of their typedValues restored. `typedValuesRoot` is where the type's pointers start (RFC 6901):
 * each contract interface says it.
 */
export function checked(raw: RawProperties, typedValuesRoot = ''): Checked {
  if (!raw) throw new DeployError('The resource has no properties.');
  const contractVersion = requireString(raw, 'contractVersion');
  if (!/^\d+$/.test(contractVersion) || Number(contractVersion) > Number(CONTRACT_VERSION)) {
    throw new DeployError(`The resource was written by a newer cdk-opensearch-ml (contract ${contractVersion}) than its provider understands (${CONTRACT_VERSION}); every construct of a stack must come from the same library version.`);
  }
  const typedValues = Array.isArray(raw.typedValues) ? raw.typedValues.map(String) : [];
  const props = restoreTypes(raw, typedValues.map((pointer) => `${typedValuesRoot}${pointer}`)) as Record<string, unknown>;
  return { contractVersion, props, typedValues };
}

/** Where requests go and how they are signed. */
export function targetOf(props: Record<string, unknown>): DomainTarget {
  // The domain endpoint as a host name (an https:// prefix or a trailing slash is tolerated).
  const endpoint = requireString(props, 'endpoint').replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return { endpoint, region: requireString(props, 'region'), signingService: requireString(props, 'signingService') };
}

export function requireObject(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = raw[key];
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DeployError(`The resource property ${key} must be an object.`);
  return value as Record<string, unknown>;
}

export function requireString(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new DeployError(`The resource property ${key} is missing or empty.`);
  }
  return value;
}

/** A string property that may be absent (an empty string counts as absent). */
export function optionalString(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
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
