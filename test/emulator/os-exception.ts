/**
 * OpenSearch exceptions with metadata and causes, rendered the way BytesRestResponse and
 * OpenSearchException.generateThrowableXContent render them:
 * - `root_cause` follows the chain of OpenSearchException causes and stops at the first cause that is not one
 *   (OpenSearchException.guessRootCauses); root causes are rendered without their own `caused_by`;
 * - metadata keys are stored as `opensearch.<key>` in a Java HashMap and rendered without the prefix, in HashMap
 *   iteration order (so `index_not_found_exception` shows index, resource.id, resource.type, index_uuid, as the
 *   real service does);
 * - a bulk item or ingest failure renders the exception itself (type, reason, metadata, caused_by).
 */
/* eslint-disable no-bitwise -- hashing and bit counting, as Java and Lucene do them */
import { HttpError, json } from './http';

export interface OsError {
  readonly type: string;
  readonly reason: string;
  /** HTTP status; for a wrapper without its own status, the cause's (ExceptionsHelper.status). */
  readonly status: number;
  /** Metadata without the `opensearch.` prefix. */
  readonly metadata?: Readonly<Record<string, string | readonly string[]>>;
  readonly cause?: OsError;
  /** false for Java exceptions that are not OpenSearchExceptions (IllegalArgumentException, ...): root_cause stops above them. */
  readonly openSearch: boolean;
}

/** An OpenSearchException subclass (parse_exception, mapper_parsing_exception, status_exception, ...). */
export function osException(type: string, reason: string, status: number, metadata?: OsError['metadata'], cause?: OsError): OsError {
  return { type, reason, status, openSearch: true, ...(metadata ? { metadata } : {}), ...(cause ? { cause } : {}) };
}

/** A plain Java exception (IllegalArgumentException = illegal_argument_exception, 400; others 500). */
export function javaException(type: string, reason: string, status = type === 'illegal_argument_exception' ? 400 : 500): OsError {
  return { type, reason, status, openSearch: false };
}

export function illegalArgumentError(reason: string): OsError {
  return javaException('illegal_argument_exception', reason, 400);
}

/** The thrown form: an HttpError whose response is the rendered envelope, keeping the structured error. */
export class OsFailure extends HttpError {
  constructor(readonly error: OsError) {
    super(json(error.status, renderEnvelope(error)));
  }
}

export function fail(error: OsError): never {
  throw new OsFailure(error);
}

/** BytesRestResponse: {"error":{"root_cause":[...], <the exception>}, "status": N}. */
export function renderEnvelope(error: OsError): Record<string, unknown> {
  return {
    error: { root_cause: rootCauses(error).map((cause) => renderException(cause, false)), ...renderException(error, true) },
    status: error.status,
  };
}

/** One exception as OpenSearchException.innerToXContent writes it: type, reason, metadata, then caused_by. */
export function renderException(error: OsError, withCause = true): Record<string, unknown> {
  const rendered: Record<string, unknown> = { type: error.type, reason: error.reason };
  for (const key of javaHashMapOrder(Object.keys(error.metadata ?? {}).map((name) => `opensearch.${name}`))) {
    const name = key.slice('opensearch.'.length);
    const value = error.metadata![name];
    rendered[name] = Array.isArray(value) && value.length === 1 ? value[0] : value;
  }
  if (withCause && error.cause) rendered.caused_by = renderException(error.cause, true);
  return rendered;
}

function rootCauses(error: OsError): OsError[] {
  return error.cause && error.cause.openSearch ? rootCauses(error.cause) : [error];
}

/** The structured error behind any HttpError: ours directly, others (errors.ts envelopes) read back from the body. */
export function errorOf(error: unknown): OsError {
  if (error instanceof OsFailure) return error.error;
  if (error instanceof HttpError) {
    try {
      const body = JSON.parse(error.response.body) as { error?: Record<string, unknown> | string; status?: number };
      if (body.error && typeof body.error === 'object') return fromRendered(body.error, error.response.status);
      const reason = typeof body.error === 'string' ? body.error : error.response.body;
      return osException('exception', reason, error.response.status);
    } catch {
      return osException('exception', error.response.body, error.response.status);
    }
  }
  return javaException('exception', error instanceof Error ? error.message : String(error), 500);
}

function fromRendered(rendered: Record<string, unknown>, status: number): OsError {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(rendered)) {
    if (!['type', 'reason', 'root_cause', 'caused_by'].includes(key) && typeof value === 'string') metadata[key] = value;
  }
  const cause = rendered.caused_by && typeof rendered.caused_by === 'object' ? fromRendered(rendered.caused_by as Record<string, unknown>, status) : undefined;
  return osException(String(rendered.type ?? 'exception'), String(rendered.reason ?? ''), status, Object.keys(metadata).length ? metadata : undefined, cause);
}

/** Java's String.hashCode. */
export function javaHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * Iteration order of a java.util.HashMap holding these keys (inserted in this order): buckets by spread hash over
 * the table size (16, doubled while more than 3/4 full), insertion order within a bucket.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const buckets = new Map<number, string[]>();
  for (const key of keys) {
    const hash = javaHash(key);
    const bucket = (hash ^ (hash >>> 16)) & (capacity - 1);
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), key]);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, bucket]) => bucket);
}

/** Java's Float.toString for the values these messages print (1.0 not 1, 0.3 not 0.30000001192092896). */
export function javaFloat(value: number): string {
  if (Number.isInteger(value)) return `${value}.0`;
  for (let digits = 1; digits <= 9; digits += 1) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === Math.fround(value)) return String(Number(text));
  }
  return String(value);
}

/** Arrays.toString / AbstractCollection.toString. */
export function javaList(items: readonly unknown[]): string {
  return `[${items.map(String).join(', ')}]`;
}

/** Map.toString of a Java HashMap<String, Object> ({a=b, c=d}), used in value previews. */
export function javaMapString(value: unknown): string {
  if (Array.isArray(value)) return javaList(value.map(javaMapString));
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([key, item]) => `${key}=${javaMapString(item)}`).join(', ')}}`;
  }
  return value === null ? 'null' : String(value);
}
