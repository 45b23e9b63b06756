/**
 * The security plugin's roles-mapping REST API (/_plugins/_security/api/rolesmapping[/{role}]):
 * GET, PUT (replace), PATCH (JSON Patch) and DELETE, with its validation and response messages.
 */
import { RequestContext, TransportPhase } from './context';
import { noHandler, securityApiMessage } from './errors';
import { EmulatorResponse, HttpError, json } from './http';
import { applyPatch, JsonPatchError, PatchOperation, SUPPORTED_PATCH_OPERATIONS } from './json-patch';
import { normalizeMapping, SecurityPlugin, StoredMapping } from './security';
import { clone } from './store';
import { EmulatorRoleMapping } from './types';

const ARRAY_KEYS = ['backend_roles', 'and_backend_roles', 'hosts', 'users'];
const ALLOWED_KEYS = [...ARRAY_KEYS, 'description'];

/** Every method on the API goes through this gate: the plugin must be on and the caller a REST admin. */
type MappingHandler = (ctx: RequestContext, security: SecurityPlugin) => EmulatorResponse;

export function rolesMappingApi(handler: MappingHandler): (ctx: RequestContext) => TransportPhase {
  return (ctx) => () => {
    const security = ctx.emulator.security;
    if (!security.enabled) return noHandler(ctx.request.method, ctx.request.url);
    const denial = security.restApiDenial(ctx.caller);
    if (denial) return securityApiMessage(403, `No permission to access REST API: ${denial}`);
    return handler(ctx, security);
  };
}

export function getMappings(ctx: RequestContext, security: SecurityPlugin): EmulatorResponse {
  const role = ctx.params[0];
  if (role === undefined) {
    return json(200, Object.fromEntries(security.allMappings().filter(([, mapping]) => !mapping.hidden)));
  }
  const mapping = security.getMapping(role);
  if (mapping?.hidden) return securityApiMessage(404, `Resource '${role}' is not available.`);
  if (!mapping) return securityApiMessage(404, `rolesmapping '${role}' not found.`);
  return json(200, { [role]: mapping });
}

export function putMapping(ctx: RequestContext, security: SecurityPlugin): EmulatorResponse {
  const role = ctx.params[0];
  const content = validateContent(parseContent(ctx.request.bodyText));
  const existing = security.getMapping(role);
  const immutable = immutableError(role, existing);
  if (immutable) return immutable;
  if (!roleExists(security, role)) return securityApiMessage(404, `role '${role}' not found.`);
  security.setMapping(role, normalizeMapping(content as EmulatorRoleMapping));
  return existing
    ? securityApiMessage(200, `'${role}' updated.`)
    : securityApiMessage(201, `'${role}' created.`);
}

export function deleteMapping(ctx: RequestContext, security: SecurityPlugin): EmulatorResponse {
  const role = ctx.params[0];
  const existing = security.getMapping(role);
  const immutable = immutableError(role, existing);
  if (immutable) return immutable;
  if (!existing) return securityApiMessage(404, `rolesmapping '${role}' not found.`);
  security.deleteMapping(role);
  return securityApiMessage(200, `'${role}' deleted.`);
}

export function patchMapping(ctx: RequestContext, security: SecurityPlugin): EmulatorResponse {
  const operations = parsePatch(ctx.request.bodyText);
  const role = ctx.params[0];
  return role === undefined ? patchCollection(security, operations) : patchOne(security, role, operations);
}

function patchOne(security: SecurityPlugin, role: string, operations: PatchOperation[]): EmulatorResponse {
  const existing = security.getMapping(role);
  const immutable = immutableError(role, existing);
  if (immutable) return immutable;
  if (!existing) return securityApiMessage(404, `rolesmapping '${role}' not found.`);
  const patched = patchDocument(editable(existing), operations);
  security.setMapping(role, normalizeMapping(validateContent(patched) as EmulatorRoleMapping));
  return securityApiMessage(200, `'${role}' updated.`);
}

/** A patch on the collection addresses mappings by name in its paths, e.g. /ml_full_access/backend_roles/-. */
function patchCollection(security: SecurityPlugin, operations: PatchOperation[]): EmulatorResponse {
  const before: Record<string, unknown> = {};
  for (const [role, mapping] of security.allMappings()) before[role] = editable(mapping);
  const after = patchDocument(before, operations) as Record<string, unknown>;
  const changes = new Map<string, StoredMapping | undefined>();
  for (const role of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[role]) === JSON.stringify(after[role])) continue;
    const immutable = immutableError(role, security.getMapping(role));
    if (immutable) return immutable;
    changes.set(role, after[role] === undefined ? undefined : normalizeMapping(validateContent(after[role]) as EmulatorRoleMapping));
  }
  for (const [role, mapping] of changes) {
    if (mapping) security.setMapping(role, mapping); else security.deleteMapping(role);
  }
  return securityApiMessage(200, 'Resource updated.');
}

/** What a patch operates on: the mapping without its reserved/hidden flags (they cannot be changed this way). */
function editable(mapping: StoredMapping): Record<string, unknown> {
  const copy = clone(mapping) as unknown as Record<string, unknown>;
  delete copy.reserved;
  delete copy.hidden;
  return copy;
}

function patchDocument(document: unknown, operations: PatchOperation[]): unknown {
  try {
    return applyPatch(document, operations);
  } catch (error) {
    if (error instanceof JsonPatchError) throw new HttpError(securityApiMessage(400, error.message));
    throw error;
  }
}

function parsePatch(bodyText: string): PatchOperation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch (error) {
    throw new HttpError(securityApiMessage(400, `Error in JSON patch: ${(error as Error).message}`));
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new HttpError(securityApiMessage(400, 'Wrong request body'));
  for (const operation of parsed as Array<Record<string, unknown>>) {
    const op = String(operation?.op);
    if (!SUPPORTED_PATCH_OPERATIONS.includes(op)) {
      throw new HttpError(securityApiMessage(400, `Unsupported patch operation: ${op}. Supported are: ${SUPPORTED_PATCH_OPERATIONS.join(',')}`));
    }
    if (typeof operation.path !== 'string') throw new HttpError(securityApiMessage(400, 'Wrong request body'));
  }
  return parsed as PatchOperation[];
}

function parseContent(bodyText: string): unknown {
  try {
    return JSON.parse(bodyText);
  } catch {
    throw new HttpError(validationError({ reason: 'Could not parse content of request.' }));
  }
}

/** RequestContentValidator for roles mappings: non-empty object, known keys, one of the mapping keys, types. */
function validateContent(content: unknown): Record<string, unknown> {
  if (content === null || typeof content !== 'object' || Array.isArray(content) || Object.keys(content).length === 0) {
    throw new HttpError(validationError({ reason: 'Request body required for this action.' }));
  }
  const object = content as Record<string, unknown>;
  const keys = Object.keys(object);
  const invalid = keys.filter((key) => !ALLOWED_KEYS.includes(key));
  const missingOneOf = ARRAY_KEYS.some((key) => keys.includes(key)) ? [] : ARRAY_KEYS;
  if (invalid.length > 0 || missingOneOf.length > 0) {
    throw new HttpError(validationError({
      reason: 'Invalid configuration',
      ...(invalid.length > 0 ? { invalid_keys: { keys: invalid.join(',') } } : {}),
      ...(missingOneOf.length > 0 ? { specify_one_of: { keys: missingOneOf.join(',') } } : {}),
    }));
  }
  const wrongTypes = wrongDataTypes(object);
  if (Object.keys(wrongTypes).length > 0) throw new HttpError(validationError({ reason: 'Wrong datatype', ...wrongTypes }));
  if (ARRAY_KEYS.some((key) => Array.isArray(object[key]) && (object[key] as unknown[]).includes(null))) {
    throw new HttpError(validationError({ reason: '`null` is not allowed as json array element' }));
  }
  return object;
}

function wrongDataTypes(object: Record<string, unknown>): Record<string, string> {
  const wrong: Record<string, string> = {};
  for (const key of ARRAY_KEYS) {
    if (key in object && !Array.isArray(object[key])) wrong[key] = 'Array expected';
  }
  if ('description' in object && typeof object.description !== 'string') wrong.description = 'String expected';
  return wrong;
}

function validationError(fields: Record<string, unknown>): EmulatorResponse {
  return json(400, { status: 'error', ...fields });
}

/** Hidden entities pretend not to exist; reserved ones refuse changes (the master is not a TLS admin). */
function immutableError(role: string, mapping: StoredMapping | undefined): EmulatorResponse | undefined {
  if (mapping?.hidden) return securityApiMessage(404, `Resource '${role}' is not available.`);
  if (mapping?.reserved) return securityApiMessage(403, `Resource '${role}' is reserved.`);
  return undefined;
}

function roleExists(security: SecurityPlugin, role: string): boolean {
  return security.roleExists(role) || security.getMapping(role) !== undefined;
}
