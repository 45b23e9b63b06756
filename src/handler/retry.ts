/*
 * The one retry policy of the handler. Throttling (429), server errors (5xx) and lost
 * connections are tried again, with exponential backoff and full jitter (as the AWS SDKs do),
 * for as long as the deadline allows. An attempt that may have been carried out is repeated
 * only when repeating it is harmless; a create is never repeated blindly (create-once.ts).
 */
import { Deadline, sleep } from './deadline';
import { HttpResponse, TransportError, isUnsent } from './transport';

/** What the outcome of an attempt says about another try. */
export type Verdict =
  /** an answer to keep: a success, or a refusal that another try would get again */
  | 'final'
  /** certainly not carried out (throttled, unavailable, never sent): safe to try again */
  | 'transient'
  /** perhaps carried out before it failed (a gateway error, a connection lost after sending) */
  | 'unknown';

/** The verdict by status and transport error alone. */
export function verdictOf(outcome: HttpResponse | TransportError): Verdict {
  if (outcome instanceof TransportError) return isUnsent(outcome) ? 'transient' : 'unknown';
  if (outcome.status === 429 || outcome.status === 503) return 'transient';
  if (outcome.status === 500 || outcome.status === 502 || outcome.status === 504) return 'unknown';
  return 'final';
}

/** Retry delays: exponential backoff with full jitter. */
export function backoffDelay(attempt: number, baseMs = 250, capMs = 10_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** The range of a backoff: the first delay's bound and the largest. */
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
}

/** Sleeps before retry number `attempt`, if the deadline leaves room for it and for `reserveMs` after it. */
export async function sleepBeforeRetry(attempt: number, deadline: Deadline, reserveMs = 0, backoff?: Backoff): Promise<boolean> {
  const delay = backoffDelay(attempt, backoff?.baseMs, backoff?.capMs);
  if (deadline.remaining() < delay + reserveMs) return false;
  await sleep(delay);
  return true;
}

export interface RetryOptions {
  readonly deadline: Deadline;
  /** whether an attempt that may have been carried out can be repeated ('unknown' verdicts) */
  readonly idempotent: boolean;
  /** the service's own reading of an outcome (OpenSearch: error types that are final, IAM grants still propagating) */
  readonly verdict?: (outcome: HttpResponse | TransportError) => Verdict;
  readonly maxAttempts?: number;
}

/**
 * Runs `attempt` until its outcome may not or need not be tried again, or the deadline leaves no
 * room for another try. Returns the last answer (with its count of attempts); throws the last
 * TransportError when no answer came.
 */
export async function withRetries(attempt: () => Promise<HttpResponse>, options: RetryOptions): Promise<HttpResponse> {
  const verdict = options.verdict ?? verdictOf;
  for (let n = 0; ; n++) {
    let outcome: HttpResponse | TransportError;
    try {
      outcome = await attempt();
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      outcome = e;
    }
    const kind = verdict(outcome);
    const again = kind === 'transient' || (kind === 'unknown' && options.idempotent);
    if (!again || n + 1 >= (options.maxAttempts ?? Infinity) || !(await sleepBeforeRetry(n, options.deadline))) {
      if (!(outcome instanceof TransportError)) return { ...outcome, attempts: n + 1 };
      throw n === 0 ? outcome : new TransportError(`${outcome.message} (${n + 1} attempts)`, outcome.code, outcome.sent);
    }
  }
}
