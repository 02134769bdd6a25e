/**
 * The events the identity directory records, as TypeScript mirrors of the messages in
 * `proto/weft/identity/v1/identity.proto`. Event type names are published forever: a type string
 * in the log is a message name there. `proto/identity.unit.spec.ts` keeps both shapes identical.
 */

export interface DomainCreated {
  readonly domainId: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
}

export interface RoleCreated {
  readonly roleId: string;
  readonly name: string;
  readonly description: string;
}

export interface RoleImplied {
  readonly priorRoleId: string;
  readonly impliedRoleId: string;
}

export interface RoleDeleted {
  readonly roleId: string;
}

export interface ProjectCreated {
  readonly projectId: string;
  readonly domainId: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly tags: ReadonlyArray<string>;
}

export interface ProjectRenamed {
  readonly projectId: string;
  readonly name: string;
}

export interface ProjectDescriptionChanged {
  readonly projectId: string;
  readonly description: string;
}

export interface ProjectEnabled {
  readonly projectId: string;
}

export interface ProjectDisabled {
  readonly projectId: string;
}

export interface ProjectDeleted {
  readonly projectId: string;
}

export interface UserCreated {
  readonly userId: string;
  readonly domainId: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly email: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly defaultProjectId: string;
}

export interface UserRenamed {
  readonly userId: string;
  readonly name: string;
}

/** Tokens issued to the user before this event stop validating. */
export interface UserPasswordChanged {
  readonly userId: string;
  readonly passwordHash: string;
}

export interface UserEmailChanged {
  readonly userId: string;
  readonly email: string;
}

export interface UserDescriptionChanged {
  readonly userId: string;
  readonly description: string;
}

export interface UserDefaultProjectChanged {
  readonly userId: string;
  readonly defaultProjectId: string;
}

export interface UserEnabled {
  readonly userId: string;
}

export interface UserDisabled {
  readonly userId: string;
}

export interface UserDeleted {
  readonly userId: string;
}

export interface RoleAssignmentGranted {
  readonly roleId: string;
  readonly userId: string;
  readonly projectId: string;
  readonly system: boolean;
}

export interface RoleAssignmentRevoked {
  readonly roleId: string;
  readonly userId: string;
  readonly projectId: string;
  readonly system: boolean;
}

export interface TokenRevoked {
  readonly auditId: string;
  readonly userId: string;
  readonly expiresAt: string;
}

export type IdentityEvent =
  | { readonly type: "DomainCreated"; readonly data: DomainCreated }
  | { readonly type: "RoleCreated"; readonly data: RoleCreated }
  | { readonly type: "RoleImplied"; readonly data: RoleImplied }
  | { readonly type: "RoleDeleted"; readonly data: RoleDeleted }
  | { readonly type: "ProjectCreated"; readonly data: ProjectCreated }
  | { readonly type: "ProjectRenamed"; readonly data: ProjectRenamed }
  | { readonly type: "ProjectDescriptionChanged"; readonly data: ProjectDescriptionChanged }
  | { readonly type: "ProjectEnabled"; readonly data: ProjectEnabled }
  | { readonly type: "ProjectDisabled"; readonly data: ProjectDisabled }
  | { readonly type: "ProjectDeleted"; readonly data: ProjectDeleted }
  | { readonly type: "UserCreated"; readonly data: UserCreated }
  | { readonly type: "UserRenamed"; readonly data: UserRenamed }
  | { readonly type: "UserPasswordChanged"; readonly data: UserPasswordChanged }
  | { readonly type: "UserEmailChanged"; readonly data: UserEmailChanged }
  | { readonly type: "UserDescriptionChanged"; readonly data: UserDescriptionChanged }
  | { readonly type: "UserDefaultProjectChanged"; readonly data: UserDefaultProjectChanged }
  | { readonly type: "UserEnabled"; readonly data: UserEnabled }
  | { readonly type: "UserDisabled"; readonly data: UserDisabled }
  | { readonly type: "UserDeleted"; readonly data: UserDeleted }
  | { readonly type: "RoleAssignmentGranted"; readonly data: RoleAssignmentGranted }
  | { readonly type: "RoleAssignmentRevoked"; readonly data: RoleAssignmentRevoked }
  | { readonly type: "TokenRevoked"; readonly data: TokenRevoked };

export type IdentityEventType = IdentityEvent["type"];

/** Every event type: the filter of identity read models and exhaustive specs. */
export const identityEventTypes = [
  "DomainCreated",
  "RoleCreated",
  "RoleImplied",
  "RoleDeleted",
  "ProjectCreated",
  "ProjectRenamed",
  "ProjectDescriptionChanged",
  "ProjectEnabled",
  "ProjectDisabled",
  "ProjectDeleted",
  "UserCreated",
  "UserRenamed",
  "UserPasswordChanged",
  "UserEmailChanged",
  "UserDescriptionChanged",
  "UserDefaultProjectChanged",
  "UserEnabled",
  "UserDisabled",
  "UserDeleted",
  "RoleAssignmentGranted",
  "RoleAssignmentRevoked",
  "TokenRevoked",
] as const satisfies ReadonlyArray<IdentityEventType>;

// An event type missing from the list above fails to compile here.
const _allEventTypesListed: Exclude<IdentityEventType, (typeof identityEventTypes)[number]> extends never ? true : never = true;
