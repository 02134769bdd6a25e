/**
 * The commands the identity directory accepts, as TypeScript mirrors of the messages in
 * `proto/weft/identity/v1/identity.proto` (the wire truth; `proto/identity.unit.spec.ts` keeps the
 * two identical). Fields are the protobufjs camelCase of the proto names; proto3 `optional`
 * fields are `?:` because they are absent on the wire when not set.
 */

export interface BootstrapIdentity {
  readonly domainId: string;
  readonly domainName: string;
  readonly adminProjectId: string;
  readonly adminProjectName: string;
  readonly adminUserId: string;
  readonly adminUserName: string;
  readonly adminPasswordHash: string;
  readonly adminRoleId: string;
  readonly memberRoleId: string;
  readonly readerRoleId: string;
}

export interface CreateProject {
  readonly projectId: string;
  readonly domainId: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly tags: ReadonlyArray<string>;
}

export interface UpdateProject {
  readonly projectId: string;
  readonly name?: string;
  readonly description?: string;
  readonly enabled?: boolean;
}

export interface DeleteProject {
  readonly projectId: string;
}

export interface CreateUser {
  readonly userId: string;
  readonly domainId: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly email: string;
  readonly description: string;
  readonly enabled: boolean;
  /** Empty when the user has none. */
  readonly defaultProjectId: string;
}

export interface UpdateUser {
  readonly userId: string;
  readonly name?: string;
  readonly passwordHash?: string;
  readonly email?: string;
  readonly description?: string;
  readonly enabled?: boolean;
  /** Empty clears the default project. */
  readonly defaultProjectId?: string;
}

export interface DeleteUser {
  readonly userId: string;
}

export interface CreateRole {
  readonly roleId: string;
  readonly name: string;
  readonly description: string;
}

export interface DeleteRole {
  readonly roleId: string;
}

/** A role on a project, or on the whole system when `system` is true (`projectId` then empty). */
export interface GrantRole {
  readonly roleId: string;
  readonly userId: string;
  readonly projectId: string;
  readonly system: boolean;
}

export interface RevokeRoleAssignment {
  readonly roleId: string;
  readonly userId: string;
  readonly projectId: string;
  readonly system: boolean;
}

export interface RevokeToken {
  readonly auditId: string;
  readonly userId: string;
  /** RFC 3339: after this the token is dead anyway. */
  readonly expiresAt: string;
}

export type IdentityCommand =
  | { readonly type: "BootstrapIdentity"; readonly data: BootstrapIdentity }
  | { readonly type: "CreateProject"; readonly data: CreateProject }
  | { readonly type: "UpdateProject"; readonly data: UpdateProject }
  | { readonly type: "DeleteProject"; readonly data: DeleteProject }
  | { readonly type: "CreateUser"; readonly data: CreateUser }
  | { readonly type: "UpdateUser"; readonly data: UpdateUser }
  | { readonly type: "DeleteUser"; readonly data: DeleteUser }
  | { readonly type: "CreateRole"; readonly data: CreateRole }
  | { readonly type: "DeleteRole"; readonly data: DeleteRole }
  | { readonly type: "GrantRole"; readonly data: GrantRole }
  | { readonly type: "RevokeRoleAssignment"; readonly data: RevokeRoleAssignment }
  | { readonly type: "RevokeToken"; readonly data: RevokeToken };

export type IdentityCommandType = IdentityCommand["type"];

/** Every command type, for routing (`weft.cmd.identity.<type>`) and exhaustive specs. */
export const identityCommandTypes = [
  "BootstrapIdentity",
  "CreateProject",
  "UpdateProject",
  "DeleteProject",
  "CreateUser",
  "UpdateUser",
  "DeleteUser",
  "CreateRole",
  "DeleteRole",
  "GrantRole",
  "RevokeRoleAssignment",
  "RevokeToken",
] as const satisfies ReadonlyArray<IdentityCommandType>;

// A command type missing from the list above fails to compile here.
const _allCommandTypesListed: Exclude<IdentityCommandType, (typeof identityCommandTypes)[number]> extends never ? true : never = true;
