/**
 * Loaded aggregates kept between commands, so a hot aggregate is folded once and then only
 * advanced by the events its own commands append. Least recently used entries go first.
 * Each entry remembers which command ids produced which events: that is how a re-sent command
 * is recognised even after a restart (the ids are rebuilt from event metadata on load).
 */
export interface CommandOutcome {
  readonly revision: number;
  readonly position: number;
  readonly eventCount: number;
}

export interface LoadedAggregate<S> {
  readonly state: S;
  /** Revision of the stream's last event; -1 when the stream does not exist yet. */
  readonly revision: number;
  /** Position of the stream's last event; 0 when none. */
  readonly position: number;
  readonly handled: Map<string, CommandOutcome>;
}

export class AggregateCache<S> {
  readonly #entries = new Map<string, LoadedAggregate<S>>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(stream: string): LoadedAggregate<S> | undefined {
    const entry = this.#entries.get(stream);
    if (entry !== undefined) {
      this.#entries.delete(stream);
      this.#entries.set(stream, entry);
    }
    return entry;
  }

  set(stream: string, entry: LoadedAggregate<S>): void {
    this.#entries.delete(stream);
    this.#entries.set(stream, entry);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  delete(stream: string): void {
    this.#entries.delete(stream);
  }
}
