/**
 * One-at-a-time sections per key (a stream name). Commands for one aggregate are decided in
 * arrival order inside a process, so replicas conflict only with each other, never with
 * themselves; idle keys are forgotten so the map stays as small as the set of busy streams.
 */
import { Effect, Semaphore } from "effect";

export interface KeyedLock {
  readonly withLock: <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>;
}

export const makeKeyedLock = (): KeyedLock => {
  const locks = new Map<string, { readonly semaphore: Semaphore.Semaphore; users: number }>();
  return {
    withLock: (key, effect) =>
      Effect.suspend(() => {
        let entry = locks.get(key);
        if (entry === undefined) {
          entry = { semaphore: Semaphore.makeUnsafe(1), users: 0 };
          locks.set(key, entry);
        }
        const held = entry;
        held.users += 1;
        return Semaphore.withPermit(held.semaphore, effect).pipe(
          Effect.ensuring(
            Effect.sync(() => {
              held.users -= 1;
              if (held.users === 0) locks.delete(key);
            }),
          ),
        );
      }),
  };
};
