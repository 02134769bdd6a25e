/**
 * OpenSSH public keys as Nova handles them: a key is accepted only if its blob parses as the
 * algorithm it names (RSA, Ed25519, ECDSA on the NIST curves); its fingerprint is Nova's, the
 * MD5 of the decoded blob as colon-separated hex. A generated pair is RSA 2048: the private key
 * in PKCS#1 PEM (what Nova has always returned), the public key in OpenSSH form.
 */
import { createHash, createPublicKey, generateKeyPairSync, type JsonWebKey } from "node:crypto";

/** Reads SSH wire-format strings (uint32 length, bytes) from a blob. */
const reader = (blob: Buffer) => {
  let offset = 0;
  return {
    next: (): Buffer => {
      if (offset + 4 > blob.length) throw new Error("truncated key blob");
      const length = blob.readUInt32BE(offset);
      if (offset + 4 + length > blob.length) throw new Error("truncated key blob");
      const value = blob.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      return value;
    },
    done: () => offset === blob.length,
  };
};

const b64url = (bytes: Buffer) => bytes.toString("base64url");
const unsigned = (mpint: Buffer) => (mpint[0] === 0 ? mpint.subarray(1) : mpint);

const curves: Readonly<Record<string, string>> = { nistp256: "P-256", nistp384: "P-384", nistp521: "P-521" };

const jwkOf = (type: string, blob: Buffer): JsonWebKey => {
  const fields = reader(blob);
  if (fields.next().toString("latin1") !== type) throw new Error("key type does not match its blob");
  let jwk: JsonWebKey;
  if (type === "ssh-rsa") {
    const e = unsigned(fields.next());
    const n = unsigned(fields.next());
    jwk = { kty: "RSA", e: b64url(e), n: b64url(n) };
  } else if (type === "ssh-ed25519") {
    const x = fields.next();
    if (x.length !== 32) throw new Error("bad Ed25519 key length");
    jwk = { kty: "OKP", crv: "Ed25519", x: b64url(x) };
  } else if (type.startsWith("ecdsa-sha2-")) {
    const curve = fields.next().toString("latin1");
    const crv = curves[curve];
    if (crv === undefined || type !== `ecdsa-sha2-${curve}`) throw new Error("unknown curve");
    const point = fields.next();
    const size = (point.length - 1) / 2;
    if (point[0] !== 4 || !Number.isInteger(size)) throw new Error("compressed or malformed point");
    jwk = { kty: "EC", crv, x: b64url(point.subarray(1, 1 + size)), y: b64url(point.subarray(1 + size)) };
  } else {
    throw new Error(`unsupported key type ${type}`);
  }
  if (!fields.done()) throw new Error("trailing bytes in key blob");
  return jwk;
};


/** Nova's fingerprint, or undefined when the text is not an OpenSSH public key it accepts. */
export const sshFingerprint = (publicKey: string): string | undefined => {
  const [type, data] = publicKey.trim().split(/\s+/, 3);
  if (type === undefined || data === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  const blob = Buffer.from(data, "base64");
  try {
    createPublicKey({ key: jwkOf(type, blob), format: "jwk" });
  } catch {
    return undefined;
  }
  return md5Fingerprint(blob);
};

export const md5Fingerprint = (blob: Buffer): string =>
  createHash("md5").update(blob).digest("hex").match(/../g)!.join(":");

const sshString = (bytes: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};
// An mpint is two's complement: a leading 1 bit needs a zero byte in front.
const mpint = (bytes: Buffer) => sshString(bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);

export interface GeneratedKeypair {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly fingerprint: string;
}

/** A fresh RSA 2048 pair, as Nova's `create` without a public key makes one. */
export const generateRsaKeypair = (comment = "Generated-by-Nova"): GeneratedKeypair => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  const blob = Buffer.concat([
    sshString(Buffer.from("ssh-rsa")),
    mpint(Buffer.from(jwk.e!, "base64url")),
    mpint(Buffer.from(jwk.n!, "base64url")),
  ]);
  return {
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKey: `ssh-rsa ${blob.toString("base64")} ${comment}`,
    fingerprint: md5Fingerprint(blob),
  };
};
