/**
 * Keystone v3 response bodies, built from read-model records. Field names and the presence of
 * `links`, `options` and `password_expires_at` follow what keystoneclient and openstacksdk parse.
 */
import type { CatalogService } from "./catalog.ts";

interface DomainRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
}
interface ProjectRecord {
  readonly id: string;
  readonly domainId: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly tags: ReadonlyArray<string>;
}
interface UserRecord {
  readonly id: string;
  readonly domainId: string;
  readonly name: string;
  readonly email: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly defaultProjectId: string;
}
interface RoleRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export const identityUrl = (publicUrl: string, path: string) => `${publicUrl}/identity/v3${path}`;

export const collectionLinks = (self: string) => ({ self, previous: null, next: null });

export const domainView = (publicUrl: string, domain: DomainRecord) => ({
  id: domain.id,
  name: domain.name,
  description: domain.description,
  enabled: domain.enabled,
  tags: [],
  options: {},
  links: { self: identityUrl(publicUrl, `/domains/${domain.id}`) },
});

export const projectView = (publicUrl: string, project: ProjectRecord) => ({
  id: project.id,
  name: project.name,
  domain_id: project.domainId,
  description: project.description,
  enabled: project.enabled,
  // Keystone makes the domain the parent of a top-level project.
  parent_id: project.domainId,
  is_domain: false,
  tags: [...project.tags],
  options: {},
  links: { self: identityUrl(publicUrl, `/projects/${project.id}`) },
});

export const userView = (publicUrl: string, user: UserRecord) => ({
  id: user.id,
  name: user.name,
  domain_id: user.domainId,
  enabled: user.enabled,
  password_expires_at: null,
  options: {},
  ...(user.email === "" ? {} : { email: user.email }),
  ...(user.description === "" ? {} : { description: user.description }),
  ...(user.defaultProjectId === "" ? {} : { default_project_id: user.defaultProjectId }),
  links: { self: identityUrl(publicUrl, `/users/${user.id}`) },
});

export const roleView = (publicUrl: string, role: RoleRecord) => ({
  id: role.id,
  name: role.name,
  domain_id: null,
  description: role.description === "" ? null : role.description,
  options: {},
  links: { self: identityUrl(publicUrl, `/roles/${role.id}`) },
});

/** Keystone's timestamps carry microseconds: 2026-11-22T01:02:03.456000Z. */
export const keystoneTime = (epochMs: number) => new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

export interface TokenBodyInput {
  readonly methods: ReadonlyArray<string>;
  readonly user: UserRecord;
  readonly userDomain: DomainRecord;
  readonly project?: { readonly record: ProjectRecord; readonly domain: DomainRecord };
  readonly system: boolean;
  readonly roles: ReadonlyArray<RoleRecord>;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly auditId: string;
  readonly catalog?: ReadonlyArray<CatalogService>;
}

export const tokenView = (input: TokenBodyInput) => ({
  token: {
    methods: [...input.methods],
    user: {
      id: input.user.id,
      name: input.user.name,
      domain: { id: input.userDomain.id, name: input.userDomain.name },
      password_expires_at: null,
    },
    audit_ids: [input.auditId],
    issued_at: keystoneTime(input.issuedAt),
    expires_at: keystoneTime(input.expiresAt),
    ...(input.project === undefined
      ? {}
      : {
          project: {
            id: input.project.record.id,
            name: input.project.record.name,
            domain: { id: input.project.domain.id, name: input.project.domain.name },
          },
          is_domain: false,
        }),
    ...(input.system ? { system: { all: true } } : {}),
    ...(input.project === undefined && !input.system ? {} : { roles: input.roles.map((role) => ({ id: role.id, name: role.name })) }),
    ...(input.catalog === undefined ? {} : { catalog: input.catalog }),
  },
});
