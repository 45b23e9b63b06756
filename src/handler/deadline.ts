/**
 * The time an invocation may spend, and the waits between retries within it.
 */
export class Deadline {
  /** A deadline `ms` milliseconds from now. */
  public static in(ms: number): Deadline {
    return new Deadline(Date.now() + ms);
  }

  constructor(public readonly endsAt: number) {}

  /** Milliseconds left, never negative. */
  public remaining(): number {
    return Math.max(0, this.endsAt - Date.now());
  }
}

/** Retry delays: exponential backoff with full jitter, as the AWS SDKs do. */
export function backoffDelay(attempt: number, baseMs = 250, capMs = 10_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sleeps before retry number `attempt`, if the deadline leaves room for it and for `reserveMs` after it. */
export async function sleepBeforeRetry(attempt: number, deadline: Deadline, reserveMs = 0): Promise<boolean> {
  const delay = backoffDelay(attempt);
  if (deadline.remaining() < delay + reserveMs) return false;
  await sleep(delay);
  return true;
}
