/**
 * foldProjected: at-least-once delivery folds each position once, and foreign event types only
 * move the checkpoint.
 */
import { describe, expect, it } from "vitest";
import { foldProjected, initialProjected, type Projection, type ProjectedEvent } from "./projection.ts";

type Counted = { readonly type: "Counted"; readonly data: { readonly by: number } } | { readonly type: "Other"; readonly data: object };

const counter: Projection<number, Counted> = {
  name: "counter",
  version: 1,
  eventTypes: new Set(["Counted"]),
  initial: () => 0,
  evolve: (doc, { event }) => (event.type === "Counted" ? doc + event.data.by : doc),
  toSnapshot: (doc) => doc,
  fromSnapshot: (snapshot) => snapshot as number,
};

const at = (position: number, event: Counted): ProjectedEvent<Counted> =>
  ({ event, stream: "counter-1", position, occurredAt: "2025-01-01T00:00:00Z" });

describe("foldProjected", () => {
  it("evolves and advances the position", () =>
    expect(foldProjected(counter, initialProjected(counter), at(3, { type: "Counted", data: { by: 2 } }))).toEqual({ position: 3, doc: 2 }));

  it("skips an event delivered twice, or out of order behind the checkpoint", () => {
    const events = [at(1, { type: "Counted", data: { by: 1 } }), at(2, { type: "Counted", data: { by: 10 } })];
    const folded = [...events, ...events, at(1, { type: "Counted", data: { by: 100 } })]
      .reduce((state, event) => foldProjected(counter, state, event), initialProjected(counter));
    expect(folded).toEqual({ position: 2, doc: 11 });
  });

  it("moves past event types it does not fold without evolving", () =>
    expect(foldProjected(counter, { position: 1, doc: 5 }, at(4, { type: "Other", data: {} }))).toEqual({ position: 4, doc: 5 }));
});
