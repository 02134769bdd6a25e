/**
 * Why the identity directory refuses a command. The `_tag`s are published (the Keystone gateway's
 * fault table is keyed by them, checked complete by the compiler); the messages go to API users
 * verbatim, so they follow Keystone's own wording where Keystone has one.
 */
import { reject, type Rejection } from "@weft/domain/shared";

export const identityRejectionTags = [
  "IdentityNotBootstrapped",
  "AlreadyBootstrapped",
  "DomainNotFound",
  "ProjectNotFound",
  "ProjectIdTaken",
  "ProjectNameTaken",
  "UserNotFound",
  "UserIdTaken",
  "UserNameTaken",
  "RoleNotFound",
  "RoleIdTaken",
  "RoleNameTaken",
  "RoleAssignmentNotFound",
] as const;

export type IdentityRejectionTag = (typeof identityRejectionTags)[number];

export type IdentityRejection = Rejection<IdentityRejectionTag>;

export const identityNotBootstrapped = (): IdentityRejection =>
  reject("IdentityNotBootstrapped", "The identity service has not been bootstrapped yet: run the bootstrap first.");

export const alreadyBootstrapped = (): IdentityRejection =>
  reject("AlreadyBootstrapped", "The identity service has already been bootstrapped.");

export const domainNotFound = (domainId: string): IdentityRejection =>
  reject("DomainNotFound", `Could not find domain: ${domainId}.`);

export const projectNotFound = (projectId: string): IdentityRejection =>
  reject("ProjectNotFound", `Could not find project: ${projectId}.`);

export const projectIdTaken = (projectId: string): IdentityRejection =>
  reject("ProjectIdTaken", `Conflict occurred attempting to store project - Duplicate ID, ${projectId}.`);

export const projectNameTaken = (name: string): IdentityRejection =>
  reject(
    "ProjectNameTaken",
    `Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${name}.`,
  );

export const userNotFound = (userId: string): IdentityRejection =>
  reject("UserNotFound", `Could not find user: ${userId}.`);

export const userIdTaken = (userId: string): IdentityRejection =>
  reject("UserIdTaken", `Conflict occurred attempting to store user - Duplicate ID, ${userId}.`);

export const userNameTaken = (name: string, domainId: string): IdentityRejection =>
  reject("UserNameTaken", `Conflict occurred attempting to store user - Duplicate entry found with name ${name} at domain ID ${domainId}.`);

export const roleNotFound = (roleId: string): IdentityRejection =>
  reject("RoleNotFound", `Could not find role: ${roleId}.`);

export const roleIdTaken = (roleId: string): IdentityRejection =>
  reject("RoleIdTaken", `Conflict occurred attempting to store role - Duplicate ID, ${roleId}.`);

export const roleNameTaken = (name: string): IdentityRejection =>
  reject("RoleNameTaken", `Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`);

export const roleAssignmentNotFound = (roleId: string, userId: string, target: string): IdentityRejection =>
  reject(
    "RoleAssignmentNotFound",
    `Could not find role assignment with role: ${roleId}, user or group: ${userId}, project, domain, or system: ${target}.`,
  );
