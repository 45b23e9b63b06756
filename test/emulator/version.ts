/**
 * The engine version the emulator pretends to run; gates version-dependent ml-commons behaviour.
 */
export class EngineVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;

  constructor(readonly text: string) {
    const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
    if (!match) {
      throw new Error(`engineVersion must look like 2.19.0, got '${text}'`);
    }
    this.major = Number(match[1]);
    this.minor = Number(match[2]);
    this.patch = Number(match[3] ?? '0');
  }

  /** True when this version is at least major.minor. */
  atLeast(major: number, minor: number): boolean {
    return this.major > major || (this.major === major && this.minor >= minor);
  }
}
