/**
 * Given-events / when-command / then-events specifications for deciders, for unit specs:
 * `given([...events]).when(command).then([...events])` or `.thenRejects("Tag")`.
 */
import { isRejection, type Decider, type Message, type Rejection } from "./decider.ts";

export interface DeciderSpecification<C extends Message, E extends Message, R extends Rejection> {
  readonly given: (events: ReadonlyArray<E>) => {
    readonly when: (command: C) => {
      readonly then: (expected: ReadonlyArray<E>) => void;
      readonly thenRejects: (tag: R["_tag"]) => void;
    };
  };
}

const fail = (message: string): never => {
  throw new Error(message);
};

const same = (actual: unknown, expected: unknown) => JSON.stringify(actual) === JSON.stringify(expected);

export const deciderSpecification = <C extends Message, E extends Message, S, R extends Rejection>(
  decider: Decider<C, E, S, R>,
): DeciderSpecification<C, E, R> => ({
  given: (events) => ({
    when: (command) => {
      const decision = decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected) => {
          if (isRejection(decision)) fail(`expected events, got rejection ${decision._tag}: ${decision.message}`);
          else if (!same(decision, expected))
            fail(`expected ${JSON.stringify(expected, null, 1)}\n got ${JSON.stringify(decision, null, 1)}`);
        },
        thenRejects: (tag) => {
          if (!isRejection(decision)) fail(`expected rejection ${tag}, got events ${JSON.stringify(decision)}`);
          else if (decision._tag !== tag) fail(`expected rejection ${tag}, got ${decision._tag}: ${decision.message}`);
        },
      };
    },
  }),
});
