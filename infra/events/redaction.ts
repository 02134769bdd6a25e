/**
 * What never leaves the fabric in a published event. Identity events carry password hashes
 * (`UserCreated`, `UserPasswordChanged`) because the directory verifies logins from them; a hash
 * is still a secret, an offline guessing target. Key pair events carry public keys only (the
 * gateway hands a generated private key to its caller once and records nothing of it), and no
 * event carries a token, but the rule is by name and applies at every depth, so a field added
 * later under a secret-looking name is dropped before anyone publishes it.
 */

// Compared with underscores removed and lower-cased: `password_hash`, `adminPasswordHash` and
// `privateKey` all match. `token` only as a whole word or a suffix: `tokenRevoked` is no secret.
const secretParts = ["password", "passwd", "secret", "privatekey", "credential", "apikey"];

const judge = (name: string): boolean => {
  const folded = name.replaceAll("_", "").toLowerCase();
  return secretParts.some((part) => folded.includes(part)) || folded.endsWith("token") || folded.endsWith("tokens");
};

// Every event is redacted once as it is published, and field names are few: remember verdicts
// (up to a bound, since map keys such as server metadata are users' own).
const verdicts = new Map<string, boolean>();

/** True for a field name that may hold a password, a private key, a token or other credential. */
export const isSecretField = (name: string): boolean => {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    verdict = judge(name);
    if (verdicts.size < 10_000) verdicts.set(name, verdict);
  }
  return verdict;
};

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

/**
 * A JSON-safe copy of a decoded payload with every secret field dropped, at any depth (map keys
 * included, so server metadata named `password` is not published either). Bytes become base64.
 */
export const redactSecrets = (value: unknown): unknown => {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Uint8Array) return base64(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!isSecretField(key)) copy[key] = redactSecrets(field);
  }
  return copy;
};
