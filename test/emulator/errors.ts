/**
 * Builders for the error bodies the real service answers with. Each layer has its own shape:
 * - the AWS front end (SigV4 / IAM): {"message": ...} or {"Message": ...}
 * - OpenSearch itself: {"error":{"root_cause":[...],"type":..,"reason":..},"status":N}
 * - the security plugin's REST API: {"status":"NOT_FOUND","message":...}
 */
import { EmulatorResponse, HttpError, json, text } from './http';

/** OpenSearch's ordinary exception envelope (BytesRestResponse). */
export function openSearchError(status: number, type: string, reason: string): EmulatorResponse {
  const cause = { type, reason };
  return json(status, { error: { root_cause: [cause], type, reason }, status });
}

export function illegalArgument(reason: string): HttpError {
  return new HttpError(openSearchError(400, 'illegal_argument_exception', reason));
}

/** OpenSearchStatusException serialises as type "status_exception". */
export function statusException(status: number, reason: string): HttpError {
  return new HttpError(openSearchError(status, 'status_exception', reason));
}

export function parsingException(reason: string): HttpError {
  return new HttpError(openSearchError(400, 'parsing_exception', reason));
}

/** XContentParser.text() on an object/array/null throws IllegalStateException, which OpenSearch answers with 500. */
export function cantGetText(token: string): HttpError {
  return new HttpError(openSearchError(500, 'illegal_state_exception', `Can't get text on a ${token}`));
}

/** RestController's answer for a path nothing is registered on. */
export function noHandler(method: string, uri: string): EmulatorResponse {
  return json(400, { error: `no handler found for uri [${uri}] and method [${method}]` });
}

/** RestController's answer for a known path with a method it does not serve. */
export function methodNotAllowed(method: string, uri: string, allowed: readonly string[]): EmulatorResponse {
  return json(405, { error: `Incorrect HTTP method for uri [${uri}] and method [${method}], allowed: [${allowed.join(', ')}]`, status: 405 });
}

/** SigV4 failures from the AWS front end use a lower-case "message" key. */
export function awsAuthError(message: string, status = 403): EmulatorResponse {
  return json(status, { message });
}

/** IAM authorization failures from the AWS front end use a capitalised "Message" key. */
export function awsAccessDenied(message: string): EmulatorResponse {
  return json(403, { Message: message });
}

export function securityException(reason: string): EmulatorResponse {
  return openSearchError(403, 'security_exception', reason);
}

/** The security plugin answers a bad basic-auth login with a bare challenge. */
export function unauthorizedChallenge(): EmulatorResponse {
  return text(401, 'Unauthorized', { 'www-authenticate': 'Basic realm="OpenSearch Security"' });
}

/** Responses.payload(status, message) of the security plugin's REST API. */
export function securityApiMessage(status: number, message: string): EmulatorResponse {
  return json(status, { status: STATUS_NAMES[status] ?? String(status), message });
}

const STATUS_NAMES: Record<number, string> = {
  200: 'OK',
  201: 'CREATED',
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  500: 'INTERNAL_SERVER_ERROR',
  501: 'NOT_IMPLEMENTED',
};

/** Java's Arrays.toString / List.toString rendering, used verbatim in several messages. */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}
