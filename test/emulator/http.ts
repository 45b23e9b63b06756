/**
 * The request/response values that flow through the emulator pipeline, independent of node:http.
 */

export interface EmulatorResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export interface ParsedRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The raw request target (path and query) exactly as received. */
  readonly url: string;
  /** Raw path without the query string. */
  readonly path: string;
  /** Raw query string without the leading '?'. */
  readonly query: string;
  readonly params: URLSearchParams;
  /** Lower-case header names; repeated headers joined with ', ' (how node reports them). */
  readonly headers: Record<string, string>;
  /** Lower-case header names; repeated headers joined with ',' (the SigV4 canonical form). */
  readonly signingHeaders: Record<string, string>;
  readonly body: Buffer;
  readonly bodyText: string;
}

/** Who sent the request, once authentication succeeded. */
export type Caller =
  | { readonly kind: 'iam'; readonly roleArn: string; readonly userArn: string; readonly accessKeyId: string }
  | { readonly kind: 'basic'; readonly username: string };

export function json(status: number, body: unknown): EmulatorResponse {
  return { status, body: JSON.stringify(body), headers: { 'content-type': 'application/json; charset=UTF-8' } };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, body, headers: { 'content-type': 'text/plain; charset=UTF-8', ...headers } };
}

/** Thrown anywhere below the router to answer with a prepared response. */
export class HttpError extends Error {
  constructor(public readonly response: EmulatorResponse) {
    super(`HTTP ${response.status}: ${response.body}`);
  }
}

export function callerName(caller: Caller): string {
  return caller.kind === 'iam' ? caller.roleArn : `basic:${caller.username}`;
}
