/**
 * The time an invocation may spend (the waits between retries: retry.ts).
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
