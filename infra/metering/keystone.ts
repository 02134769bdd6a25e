/**
 * The meter's Keystone client, over the public identity API only: logging in with a password
 * (the meter's own token, for the event stream) and validating a caller's token the way
 * keystonemiddleware does (`GET /v3/auth/tokens` with `X-Subject-Token`), remembering answers for
 * a short while so a busy client costs one validation per token, not one per request.
 */

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface PasswordLogin {
  /** The identity endpoint: `http://host:5000/identity/v3` (or the gateway's base URL). */
  readonly authUrl: string;
  readonly userName: string;
  readonly password: string;
  readonly projectName: string;
  readonly domainId?: string;
  readonly fetch?: Fetch;
}

/** What a validated token says about its bearer. */
export interface ValidatedToken {
  readonly userId: string;
  /** Empty for a token not scoped to a project. */
  readonly projectId: string;
  readonly roleNames: ReadonlyArray<string>;
  readonly expiresAt: number;
}

const identityV3 = (url: string) => {
  const base = url.replace(/\/+$/, "");
  return base.endsWith("/v3") ? base : base.endsWith("/identity") ? `${base}/v3` : `${base}/identity/v3`;
};

/** Keystone refused the credentials (or the request): trying again will not help. */
export class LoginRefused extends Error {
  readonly status: number;
  constructor(userName: string, status: number) {
    super(`login as ${userName} refused by Keystone (${status})`);
    this.name = "LoginRefused";
    this.status = status;
  }
}

/** Logs in with a password, project-scoped; resolves to the token. Throws LoginRefused on a 4xx. */
export const passwordLogin = async (login: PasswordLogin): Promise<string> => {
  const fetchFn = login.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const domain = { id: login.domainId ?? "default" };
  const response = await fetchFn(`${identityV3(login.authUrl)}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: login.userName, domain, password: login.password } } },
        scope: { project: { name: login.projectName, domain } },
      },
    }),
  });
  const token = response.headers.get("x-subject-token");
  await response.body?.cancel();
  if (response.status >= 400 && response.status < 500) throw new LoginRefused(login.userName, response.status);
  if (response.status !== 201 || token === null) throw new Error(`login as ${login.userName}: Keystone answered ${response.status}`);
  return token;
};

/** One login, kept until it is refused: `fresh` logs in again. */
export const keptLogin = (login: PasswordLogin) => {
  let kept: Promise<string> | undefined;
  return (fresh: boolean): Promise<string> => {
    if (fresh || kept === undefined) {
      kept = passwordLogin(login);
      // A failed login is not kept: the next caller tries again.
      void kept.catch(() => (kept = undefined));
    }
    return kept;
  };
};

export interface TokenValidatorOptions {
  readonly authUrl: string;
  /** The validator's own token (a service token): Keystone lets it validate others'. `fresh`: the last one was refused. */
  readonly serviceToken: (fresh: boolean) => Promise<string>;
  readonly fetch?: Fetch;
  /** How long an answer is remembered. Default 30 s (keystonemiddleware's is 300 s). */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

interface TokenBody {
  readonly token?: {
    readonly user?: { readonly id?: string };
    readonly project?: { readonly id?: string };
    readonly roles?: ReadonlyArray<{ readonly name?: string }>;
    readonly expires_at?: string;
  };
}

/** Validates tokens against Keystone; resolves undefined for a token Keystone does not accept. */
export const keystoneTokenValidator = (options: TokenValidatorOptions) => {
  const fetchFn = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 30_000;
  const remembered = new Map<string, { readonly until: number; readonly answer: ValidatedToken | undefined }>();
  const ask = async (token: string, serviceToken: string) =>
    fetchFn(`${identityV3(options.authUrl)}/auth/tokens`, { headers: { "x-auth-token": serviceToken, "x-subject-token": token } });

  return async (token: string): Promise<ValidatedToken | undefined> => {
    const cached = remembered.get(token);
    if (cached !== undefined && cached.until > now()) return cached.answer;
    let response = await ask(token, await options.serviceToken(false));
    // The service token itself expired: one fresh login, then the answer stands.
    if (response.status === 401) {
      await response.body?.cancel();
      response = await ask(token, await options.serviceToken(true));
    }
    let answer: ValidatedToken | undefined;
    if (response.status === 200) {
      const body = (await response.json()) as TokenBody;
      const expiresAt = Date.parse(body.token?.expires_at ?? "");
      answer = {
        userId: body.token?.user?.id ?? "",
        projectId: body.token?.project?.id ?? "",
        roleNames: (body.token?.roles ?? []).map((role) => role.name ?? ""),
        expiresAt: Number.isFinite(expiresAt) ? expiresAt : now() + cacheMs,
      };
    } else if (response.status === 404) {
      await response.body?.cancel();
    } else {
      await response.body?.cancel();
      throw new Error(`Keystone answered ${response.status} validating a token`);
    }
    if (remembered.size > 10_000) remembered.clear();
    remembered.set(token, { until: Math.min(now() + cacheMs, answer?.expiresAt ?? Number.POSITIVE_INFINITY), answer });
    return answer;
  };
};
