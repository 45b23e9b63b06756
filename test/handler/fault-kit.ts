/*
 * What the fault-injection suites share: a seeded generator, and the faults the stand-in
 * injects, drawn from it, in the handler's (scaled) time.
 */
import type { FaultSpec } from '../emulator';

/* eslint-disable no-bitwise */
/** mulberry32: a small seeded PRNG, so that a failing run replays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

export interface FaultDraw {
  readonly pick: <T>(items: readonly T[]) => T;
  /** handler milliseconds as real ones (the handler's clock runs faster) */
  readonly ms: (handlerMs: number) => number;
  /** the IAM action a not-yet-effective grant denies, for the AWS front end's 403 */
  readonly deniedAction: () => string;
  readonly accessKeyId: string;
}

/** One random fault: throttling, a server error before or after the work, a dropped connection, a slow answer, an IAM denial. */
export function randomFault(draw: FaultDraw): Omit<FaultSpec, 'method' | 'path'> {
  const { pick, ms } = draw;
  switch (pick(['throttle', 'error', 'error-after', 'drop', 'drop-after', 'slow', 'slow-after', 'iam'])) {
    case 'throttle': return { status: 429, times: pick([1, 2, 3]) };
    case 'error': return { status: pick([500, 502, 503, 504]) };
    // The domain did the work, then the gateway answered an error.
    case 'error-after': return { status: pick([500, 502, 504]), phase: 'after' };
    case 'drop': return { drop: true };
    case 'drop-after': return { drop: true, phase: 'after' };
    // Queued before the domain acts (shorter than any attempt's timeout)...
    case 'slow': return { delayMs: ms(pick([500, 2_000, 5_000])) };
    // ...or done, then answered late: some after the handler stopped waiting.
    case 'slow-after': return { delayMs: ms(pick([1_000, 8_000, 45_000])), phase: 'after' };
    default:
      // A grant made in the same deployment, not yet effective: the AWS front end's denial.
      return {
        status: 403,
        body: {
          Message: `User: arn:aws:sts::111122223333:assumed-role/provider/${draw.accessKeyId} is not authorized to perform: ${draw.deniedAction()} because no identity-based policy allows the action`,
        },
        times: pick([1, 2, 4]),
      };
  }
}
