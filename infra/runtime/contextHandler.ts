/**
 * One bus subscription per bounded context (`weft.cmd.<context>.>`) serving all of its aggregate
 * types: each command goes to the module whose command codec knows its type.
 */
import { Effect } from "effect";
import type { CommandEnvelope, CommandReply } from "@weft/proto";
import type { AnyAggregateModule } from "./aggregateModule.ts";
import { makeCommandHandler, type CommandHandlerOptions } from "./commandHandler.ts";

export const makeContextHandler = Effect.fnUntraced(function* (
  modules: ReadonlyArray<AnyAggregateModule>,
  options: CommandHandlerOptions = {},
) {
  const contexts = new Set(modules.map((module) => module.context));
  if (contexts.size !== 1) throw new Error(`a context handler serves one context, got ${[...contexts].join(", ") || "none"}`);
  const handlers = yield* Effect.forEach(modules, (module) => makeCommandHandler(module, options));
  const context = [...contexts][0]!;
  return (envelope: CommandEnvelope): Effect.Effect<CommandReply> => {
    const index = modules.findIndex((module) => module.commands.has(envelope.type));
    if (index === -1) {
      return Effect.succeed({ outcome: "failed", failed: { code: "UnknownCommand", message: `${envelope.type} is not a ${context} command` } });
    }
    return handlers[index]!(envelope);
  };
});
