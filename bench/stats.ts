/**
 * What the benches share: latency samples and their percentiles, and the `name: value` lines
 * every bench prints (and `bench/main.ts` passes through). Not a bench itself: `main.ts` runs only
 * `*.bench.ts` files.
 */

/** Latency samples in milliseconds, recorded with `performance.now()` around each operation. */
export class Samples {
  #values: Float64Array;
  #count = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  get count(): number {
    return this.#count;
  }

  add(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = ms;
  }

  /** Nearest-rank percentile, `p` in 0..100. */
  percentile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    const sorted = this.#values.slice(0, this.#count).sort();
    return sorted[Math.min(this.#count - 1, Math.max(0, Math.ceil((p / 100) * this.#count) - 1))]!;
  }
}

/** Times an async operation in milliseconds. */
export const timed = async <A>(operation: () => Promise<A>): Promise<{ readonly value: A; readonly ms: number }> => {
  const start = performance.now();
  const value = await operation();
  return { value, ms: performance.now() - start };
};

const format = (value: number | string, digits: number) =>
  typeof value === "string" ? value : Number.isFinite(value) ? value.toFixed(digits).replace(/\.0+$/, "") : String(value);

/** Prints one `name: value` line; numbers get `digits` decimals (trailing zeros of an integer dropped). */
export const report = (name: string, value: number | string, digits = 0): void => {
  console.log(`${name}: ${format(value, digits)}`);
};
