/**
 * What a server group decides: it is created once with one of Nova's four policies, the
 * `max_server_per_host` rule only with anti-affinity (Nova's 2.64 rules), and deleted once.
 */
import { assertNever, type Decision } from "../../shared/index.ts";
import { serverGroupPolicies, type CreateServerGroup, type ServerGroupCommand } from "./commands.ts";
import type { ServerGroupEvent } from "./events.ts";
import { invalidServerGroup, serverGroupAlreadyExists, serverGroupNotFound, type ServerGroupRejection } from "./rejections.ts";
import type { ServerGroupState } from "./state.ts";

type ServerGroupDecision = Decision<ServerGroupEvent, ServerGroupRejection>;

const createServerGroup = (c: CreateServerGroup, state: ServerGroupState): ServerGroupDecision => {
  // The wire carries any string; the TypeScript type only says what it should be.
  if (!(serverGroupPolicies as ReadonlyArray<string>).includes(c.policy)) return invalidServerGroup(`Invalid policy ${c.policy}.`);
  if (c.maxServerPerHost < 0) return invalidServerGroup(`max_server_per_host must be a positive integer, not ${c.maxServerPerHost}.`);
  if (c.maxServerPerHost > 0 && c.policy !== "anti-affinity")
    return invalidServerGroup("Only anti-affinity policy supports the max_server_per_host rule.");
  if (state.status !== "none") return serverGroupAlreadyExists(c.groupId);
  return [{
    type: "ServerGroupCreated",
    data: { groupId: c.groupId, projectId: c.projectId, userId: c.userId, name: c.name, policy: c.policy, maxServerPerHost: c.maxServerPerHost },
  }];
};

const deleteServerGroup = (groupId: string, state: ServerGroupState): ServerGroupDecision =>
  state.status === "created" ? [{ type: "ServerGroupDeleted", data: { groupId } }] : serverGroupNotFound(groupId);

export const decide = (command: ServerGroupCommand, state: ServerGroupState): ServerGroupDecision => {
  switch (command.type) {
    case "CreateServerGroup":
      return createServerGroup(command.data, state);
    case "DeleteServerGroup":
      return deleteServerGroup(command.data.groupId, state);
    default:
      return assertNever(command);
  }
};
