/**
 * Identity commands in envelopes, for tests and benches that drive the runtime directly.
 */
import { randomUUID } from "node:crypto";
import type { IdentityCommand } from "@weft/domain/identity";
import { systemActor, type CommandEnvelope } from "@weft/proto";
import { identityCommandCodec } from "../contexts/identity.ts";

export const identityEnvelope = (command: IdentityCommand, commandId: string = randomUUID()): CommandEnvelope => ({
  commandId,
  requestId: `req-${randomUUID()}`,
  actor: systemActor,
  issuedAt: new Date().toISOString(),
  type: command.type,
  payload: identityCommandCodec.encode(command),
  correlationId: commandId,
  causationId: "",
});

const hex = () => randomUUID().replaceAll("-", "");

export const bootstrapCommand = (): IdentityCommand => ({
  type: "BootstrapIdentity",
  data: {
    domainId: "default",
    domainName: "Default",
    adminProjectId: hex(),
    adminProjectName: "admin",
    adminUserId: hex(),
    adminUserName: "admin",
    adminPasswordHash: "",
    adminRoleId: hex(),
    memberRoleId: hex(),
    readerRoleId: hex(),
  },
});

export const createProjectCommand = (name: string, projectId: string = hex()): IdentityCommand => ({
  type: "CreateProject",
  data: { projectId, domainId: "default", name, description: "", enabled: true, tags: [] },
});
