/** Simulated time: starts at a fixed instant and moves only when told. No `Date.now` in the simulation. */
export class Clock {
  private t: number;

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Advance by `ms` and return the new time. */
  tick(ms = 1000): number {
    this.t += ms;
    return this.t;
  }
}
