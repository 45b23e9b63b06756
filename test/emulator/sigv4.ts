/**
 * Verification of AWS Signature Version 4 requests, as the OpenSearch Service front end does it.
 *
 * The expected signature is recomputed with the independent `aws4` signer from what was actually received
 * (method, raw path and query, the headers named in SignedHeaders, the body and X-Amz-Date), so a bug in the
 * client's signer and a bug here are unlikely to cancel out. Messages are the ones AWS answers with.
 */
import { createHash, timingSafeEqual } from 'crypto';
import * as aws4 from 'aws4';

export interface SigV4Secret {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SigV4Request {
  readonly method: string;
  /** Raw request target: path and query exactly as sent. */
  readonly url: string;
  /** Lower-case header names; repeated headers joined with ','. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface SigV4Options {
  readonly region: string;
  readonly service: string;
  readonly now: Date;
  readonly lookup: (accessKeyId: string) => SigV4Secret | undefined;
  /** Allowed clock skew; AWS allows 5 minutes either way. */
  readonly maxSkewMs?: number;
}

export type SigV4Result =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly anonymous: true }
  | { readonly ok: false; readonly anonymous: false; readonly message: string };

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const INVALID_TOKEN = 'The security token included in the request is invalid.';
export const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. '
  + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
const FIVE_MINUTES = 5 * 60 * 1000;

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly scope: readonly string[];
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

type Step<T> = { readonly value: T } | { readonly error: string };

/** Format a date the way X-Amz-Date carries it: 20150830T123600Z. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

export function verifySigV4(request: SigV4Request, options: SigV4Options): SigV4Result {
  const header = request.headers.authorization;
  if (header === undefined) {
    return { ok: false, anonymous: true };
  }
  const result = verifyAuthorization(header, request, options);
  return 'error' in result ? { ok: false, anonymous: false, message: result.error } : { ok: true, accessKeyId: result.value };
}

function verifyAuthorization(header: string, request: SigV4Request, options: SigV4Options): Step<string> {
  const parsed = parseAuthorization(header, request.headers);
  if ('error' in parsed) return parsed;
  const date = requestDate(request.headers);
  if ('error' in date) return date;
  const skew = checkSkew(date.value, options);
  if (skew) return { error: skew };
  if (!parsed.value.signedHeaders.includes('host')) return { error: HOST_NOT_SIGNED };
  const scope = scopeErrors(parsed.value.scope, date.value, options);
  if (scope) return { error: scope };
  const secret = options.lookup(parsed.value.accessKeyId);
  if (!secret || !sessionTokenMatches(secret, request.headers['x-amz-security-token'])) return { error: INVALID_TOKEN };
  if (!payloadHashMatches(request)) return { error: SIGNATURE_MISMATCH };
  const expected = expectedSignature(request, parsed.value, date.value, secret, options);
  return expected !== undefined && sameHex(expected, parsed.value.signature)
    ? { value: secret.accessKeyId }
    : { error: SIGNATURE_MISMATCH };
}

function parseAuthorization(header: string, headers: Record<string, string>): Step<ParsedAuthorization> {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM && algorithm.startsWith('AWS4')) {
    return { error: `Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM} for now). ` };
  }
  const fields = new Map<string, string>();
  if (algorithm === ALGORITHM) {
    for (const part of header.slice(space + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const missing = missingParts(fields, headers);
  if (missing.length > 0) {
    return { error: `${missing.join(' ')} Authorization=${header}` };
  }
  const credential = fields.get('Credential')!.split('/');
  return {
    value: {
      accessKeyId: credential[0],
      scope: credential.slice(1),
      signedHeaders: fields.get('SignedHeaders')!.split(';').map((name) => name.toLowerCase()),
      signature: fields.get('Signature')!,
    },
  };
}

/** The IncompleteSignatureException sentences, in the order AWS lists them. */
function missingParts(fields: Map<string, string>, headers: Record<string, string>): string[] {
  const missing: string[] = [];
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!fields.get(name)) missing.push(`Authorization header requires '${name}' parameter.`);
  }
  if (headers['x-amz-date'] === undefined && headers.date === undefined) {
    missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  return missing;
}

function requestDate(headers: Record<string, string>): Step<string> {
  const value = headers['x-amz-date'] ?? headers.date;
  if (/^\d{8}T\d{6}Z$/.test(value)) return { value };
  const parsed = headers['x-amz-date'] === undefined ? new Date(value) : undefined;
  if (parsed && !Number.isNaN(parsed.getTime())) return { value: amzDate(parsed) };
  return { error: `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601` };
}

function toDate(basic: string): Date {
  const iso = `${basic.slice(0, 4)}-${basic.slice(4, 6)}-${basic.slice(6, 8)}T${basic.slice(9, 11)}:${basic.slice(11, 13)}:${basic.slice(13, 15)}Z`;
  return new Date(iso);
}

function checkSkew(date: string, options: SigV4Options): string | undefined {
  const skew = options.maxSkewMs ?? FIVE_MINUTES;
  const signedAt = toDate(date).getTime();
  const now = options.now.getTime();
  const minutes = Math.round(skew / 60000);
  if (signedAt < now - skew) {
    return `Signature expired: ${date} is now earlier than ${amzDate(new Date(now - skew))} (${amzDate(options.now)} - ${minutes} min.)`;
  }
  if (signedAt > now + skew) {
    return `Signature not yet current: ${date} is still later than ${amzDate(new Date(now + skew))} (${amzDate(options.now)} + ${minutes} min.)`;
  }
  return undefined;
}

function scopeErrors(scope: readonly string[], date: string, options: SigV4Options): string | undefined {
  const [day = '', region = '', service = '', terminator = ''] = scope;
  const errors: string[] = [];
  if (region !== options.region) errors.push(`Credential should be scoped to a valid region, not '${region}'.`);
  if (service !== options.service) errors.push(`Credential should be scoped to correct service: '${options.service}'.`);
  if (terminator !== 'aws4_request') errors.push(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  if (day !== date.slice(0, 8)) {
    errors.push(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${date.slice(0, 8)}', from '${date}'.`);
  }
  return errors.length > 0 ? errors.join(' ') : undefined;
}

/** A principal with a session token must present it; one without must not present any. */
function sessionTokenMatches(secret: SigV4Secret, presented: string | undefined): boolean {
  return (secret.sessionToken ?? undefined) === presented;
}

/** x-amz-content-sha256, when sent, must describe the body actually received. */
function payloadHashMatches(request: SigV4Request): boolean {
  const declared = request.headers['x-amz-content-sha256'];
  if (declared === undefined || declared === 'UNSIGNED-PAYLOAD') return true;
  return declared.toLowerCase() === createHash('sha256').update(request.body).digest('hex');
}

/** aws4's request type lacks extraHeadersToInclude, which keeps it from dropping signed headers such as user-agent. */
type VerifierRequest = aws4.Request & { extraHeadersToInclude: Record<string, boolean> };

function expectedSignature(
  request: SigV4Request,
  auth: ParsedAuthorization,
  date: string,
  secret: SigV4Secret,
  options: SigV4Options,
): string | undefined {
  const headers: Record<string, string> = {};
  const include: Record<string, boolean> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return undefined;
    headers[name] = value;
    include[name] = true;
  }
  const signerRequest: VerifierRequest = {
    method: request.method,
    path: request.url,
    headers,
    body: request.body,
    service: options.service,
    region: options.region,
    doNotModifyHeaders: true,
    extraHeadersToInclude: include,
  };
  try {
    const signer = new aws4.RequestSigner(signerRequest, { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey });
    signer.datetime = date;
    return signer.signature();
  } catch {
    // A path aws4 cannot decode (e.g. a stray '%') cannot have been signed correctly either.
    return undefined;
  }
}

function sameHex(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
