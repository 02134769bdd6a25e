/**
 * The shape every bounded context's aggregate takes: plain data and pure functions, after
 * emmett's Decider. Time and ids arrive on the command; `evolve` never throws (events are facts);
 * `decide` returns the new events or a rejection value, never throws for a business rule.
 */

/** A message: the protobuf message name as discriminant, its fields as `data`. */
export interface Message<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

/** A refused command, as data. `_tag` is published: the gateway's fault table is keyed by it. */
export interface Rejection<Tag extends string = string> {
  readonly _tag: Tag;
  readonly message: string;
}

export type Decision<E, R> = ReadonlyArray<E> | R;

export interface Decider<C extends Message, E extends Message, S, R extends Rejection> {
  readonly initialState: () => S;
  readonly evolve: (state: S, event: E) => S;
  readonly decide: (command: C, state: S) => Decision<E, R>;
}

export const isRejection = <E, R extends Rejection>(decision: Decision<E, R>): decision is R =>
  !Array.isArray(decision);

export const reject = <Tag extends string>(_tag: Tag, message: string): Rejection<Tag> => ({ _tag, message });

/** For `default:` branches: a new command or event type without a case is a compile error. */
export const assertNever = (value: never): never => {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
};
