/**
 * What happens to one request, in the order the managed service does it:
 * AWS front end (SigV4, IAM es:ESHttp*, iam:PassRole) -> OpenSearch routing -> REST parsing ->
 * security plugin privilege check -> transport action.
 */
import { mlPermission, serverlessForbidden } from './aoss';
import { EmulatorContext, Route } from './context';
import { awsAccessDenied, awsAuthError, methodNotAllowed, noHandler } from './errors';
import { Caller, EmulatorResponse, HttpError, ParsedRequest, json } from './http';
import { accessDeniedMessage, assumedRoleArn, esHttpAction, evaluatePolicy, PolicyStatement } from './iam';
import { findRoute } from './routes';
import { verifySigV4 } from './sigv4';
import { EmulatorPrincipal } from './types';

export interface PipelineOutcome {
  readonly response: EmulatorResponse;
  readonly caller?: Caller;
}

export interface PrincipalDirectory {
  byAccessKey(accessKeyId: string): EmulatorPrincipal | undefined;
  policyOf(roleArn: string): ReadonlyArray<PolicyStatement> | undefined;
}

export function processRequest(emulator: EmulatorContext, principals: PrincipalDirectory, request: ParsedRequest, now: Date): PipelineOutcome {
  const authenticated = authenticate(emulator, principals, request, now);
  if ('response' in authenticated) return authenticated;
  const { caller } = authenticated;
  try {
    return { caller, response: dispatch(emulator, principals, request, caller) };
  } catch (error) {
    if (error instanceof HttpError) return { caller, response: error.response };
    return { caller, response: internalError(error) };
  }
}

type Authenticated = { readonly caller: Caller } | { readonly response: EmulatorResponse };

function authenticate(emulator: EmulatorContext, principals: PrincipalDirectory, request: ParsedRequest, now: Date): Authenticated {
  const basic = emulator.security.authenticateBasic(request.headers.authorization);
  if (basic) return basic;
  const serverless = emulator.serverless !== undefined;
  const result = verifySigV4(
    { method: request.method, url: request.url, headers: request.signingHeaders, body: request.body },
    { region: emulator.region, service: serverless ? 'aoss' : 'es', now, lookup: (id) => principals.byAccessKey(id) },
  );
  // OpenSearch Serverless requires the payload hash header on every signed request.
  if (serverless && result.ok && request.headers['x-amz-content-sha256'] === undefined) {
    return { response: serverlessForbidden() };
  }
  if (result.ok) {
    const principal = principals.byAccessKey(result.accessKeyId)!;
    return { caller: { kind: 'iam', roleArn: principal.roleArn, userArn: assumedRoleArn(principal.roleArn, principal.accessKeyId), accessKeyId: principal.accessKeyId } };
  }
  if (result.anonymous) {
    if (serverless) return { response: serverlessForbidden() };
    const action = esHttpAction(request.method);
    return { response: awsAccessDenied(`User: anonymous is not authorized to perform: ${action} because no resource-based policy allows the ${action} action`) };
  }
  return { response: awsAuthError(result.message) };
}

function dispatch(emulator: EmulatorContext, principals: PrincipalDirectory, request: ParsedRequest, caller: Caller): EmulatorResponse {
  const denied = checkEsHttp(emulator, principals, request, caller);
  if (denied) return denied;
  const found = findRoute(emulator, request.method, request.path);
  if (!('route' in found)) {
    return found.allowed.length > 0 ? methodNotAllowed(request.method, request.url, found.allowed) : noHandler(request.method, request.url);
  }
  const dataAccess = checkDataAccess(emulator, found.route, caller);
  if (dataAccess) return dataAccess;
  const passRole = checkPassRole(found.route, principals, request, caller);
  if (passRole) return passRole;
  const transport = found.route.handle({ emulator, request, caller, params: found.params });
  const forbidden = found.route.action ? emulator.security.checkAction(caller, found.route.action) : undefined;
  return forbidden ?? transport();
}

/** The domain's IAM gate: es:ESHttp<Method> on arn:...:domain/<name>/<path>. Basic-auth requests are anonymous to IAM. */
function checkEsHttp(
  emulator: EmulatorContext,
  principals: PrincipalDirectory,
  request: ParsedRequest,
  caller: Caller,
): EmulatorResponse | undefined {
  if (caller.kind !== 'iam') return undefined;
  if (emulator.serverless) {
    const allowed = evaluatePolicy(principals.policyOf(caller.roleArn), 'aoss:APIAccessAll', emulator.serverless.collectionArn) === 'allow';
    return allowed ? undefined : serverlessForbidden();
  }
  const action = esHttpAction(request.method);
  const resource = `${emulator.domainArn}/${decodePath(request.path).replace(/^\//, '')}`;
  const decision = evaluatePolicy(principals.policyOf(caller.roleArn), action, resource);
  return decision === 'allow' ? undefined : awsAccessDenied(accessDeniedMessage(caller.userArn, action, decision));
}

/** A collection's ML APIs need the matching aoss:*MLResource permission of a data access policy; there is no security plugin. */
function checkDataAccess(emulator: EmulatorContext, route: Route, caller: Caller): EmulatorResponse | undefined {
  if (!emulator.serverless || !route.action || caller.kind !== 'iam') return undefined;
  return emulator.serverless.allowsMl(caller.roleArn, mlPermission(route.action)) ? undefined : serverlessForbidden();
}

/** Amazon OpenSearch Service checks that the caller may pass the connector's role before OpenSearch sees the request. */
function checkPassRole(route: Route, principals: PrincipalDirectory, request: ParsedRequest, caller: Caller): EmulatorResponse | undefined {
  if (!route.passRole) return undefined;
  const roleArn = credentialRoleArn(request.bodyText);
  if (roleArn === undefined) return undefined;
  if (caller.kind !== 'iam') {
    return awsAccessDenied(`User: anonymous is not authorized to perform: iam:PassRole on resource: ${roleArn}`);
  }
  const decision = evaluatePolicy(principals.policyOf(caller.roleArn), 'iam:PassRole', roleArn);
  return decision === 'allow' ? undefined : awsAccessDenied(accessDeniedMessage(caller.userArn, 'iam:PassRole', decision, roleArn));
}

function credentialRoleArn(bodyText: string): string | undefined {
  try {
    const body = JSON.parse(bodyText) as { credential?: { roleArn?: unknown } };
    return typeof body?.credential?.roleArn === 'string' ? body.credential.roleArn : undefined;
  } catch {
    return undefined;
  }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function internalError(error: unknown): EmulatorResponse {
  const reason = error instanceof Error ? error.message : String(error);
  return json(500, { error: { root_cause: [{ type: 'exception', reason }], type: 'exception', reason }, status: 500 });
}
