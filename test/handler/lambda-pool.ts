/*
 * Lambda runs each concurrent invocation of a function in an execution environment of its own
 * and reuses an idle one for the next: one handler process (LambdaHarness) per invocation in
 * flight, none shared. Module state (the keep-alive connection pool, the signer cache) is then
 * per environment, as in Lambda.
 */
import { Invocation, LambdaCredentials, LambdaHarness } from './harness';

export interface LambdaPoolOptions {
  readonly credentials: LambdaCredentials;
  readonly env?: Record<string, string>;
  /** environments started before the first invocation (warm), so that cold starts do not count in timings */
  readonly warm?: number;
}

export class LambdaPool {
  public static async start(options: LambdaPoolOptions): Promise<LambdaPool> {
    const pool = new LambdaPool(options);
    // A few at a time: a hundred processes starting at once take the machine.
    const warm = options.warm ?? 0;
    for (let started = 0; started < warm; started += 10) {
      const batch = await Promise.all(Array.from({ length: Math.min(10, warm - started) }, () => pool.spawn()));
      pool.idle.push(...batch);
    }
    return pool;
  }

  /** environments started on demand, after the warm ones were all busy */
  public coldStarts = 0;
  /** the most invocations in flight at once */
  public peakConcurrency = 0;
  private readonly all: LambdaHarness[] = [];
  private readonly idle: LambdaHarness[] = [];
  private inFlight = 0;

  private constructor(private readonly options: LambdaPoolOptions) {}

  /** Runs one invocation in an environment no other invocation uses while it runs. */
  public async invoke(event: Record<string, unknown>, options: { remainingMs?: number } = {}): Promise<Invocation> {
    this.inFlight++;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.inFlight);
    let environment = this.idle.pop();
    if (!environment) {
      this.coldStarts++;
      environment = await this.spawn();
    }
    try {
      return await environment.invoke(event, options);
    } finally {
      this.inFlight--;
      this.idle.push(environment);
    }
  }

  /** Starts counting peakConcurrency and coldStarts again (after a warm-up). */
  public resetCounts(): void {
    this.peakConcurrency = this.inFlight;
    this.coldStarts = 0;
  }

  /** how many environments were started */
  public get environments(): number {
    return this.all.length;
  }

  /** Everything the handlers wrote, environment by environment. */
  public get allLogs(): string {
    return this.all.map((environment) => environment.allLogs).join('\n');
  }

  public async stop(): Promise<void> {
    await Promise.all(this.all.map((environment) => environment.stop()));
  }

  private async spawn(): Promise<LambdaHarness> {
    // At a lower priority than the test process, which stands in for the domain: a hundred Lambda environments have
    // a hundred CPUs, and the domain its own; here they share two, and the domain must not wait for them.
    const environment = await LambdaHarness.start({ credentials: this.options.credentials, env: this.options.env, nice: 10 });
    this.all.push(environment);
    return environment;
  }
}
