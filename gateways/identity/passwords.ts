/**
 * Password hashing with scrypt (memory-hard, in Node's crypto, run on the libuv pool so the event
 * loop keeps serving). Hashes are PHC strings carrying their own parameters, so the cost can be
 * raised later without invalidating stored hashes. Default N=2^15, r=8, p=1: 32 MiB and about
 * 0.3 s per hash on the 2-core reference machine, the time Keystone's default bcrypt cost 12
 * takes; OWASP's 2^17 costs 0.65 s there, which would make every CLI login visibly slow.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";

export interface ScryptCost {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { logN: 15, r: 8, p: 1 };

const KEY_BYTES = 32;

const scrypt = (password: string, salt: Buffer, cost: ScryptCost) =>
  new Promise<Buffer>((resolve, reject) => {
    const options: ScryptOptions = { N: 2 ** cost.logN, r: cost.r, p: cost.p, maxmem: 256 * 2 ** cost.logN * cost.r + 1024 * 1024 };
    scryptCallback(password, salt, KEY_BYTES, options, (error, key) => (error === null ? resolve(key) : reject(error)));
  });

export const hashPassword = async (password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> => {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
};

const PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** False for a wrong password and for a hash this code did not write; never throws on input. */
export const verifyPassword = async (password: string, phc: string): Promise<boolean> => {
  const match = PHC.exec(phc);
  if (match === null) return false;
  const [, logN, r, p, salt, expected] = match as unknown as [string, string, string, string, string, string];
  const cost = { logN: Number(logN), r: Number(r), p: Number(p) };
  if (cost.logN > 20 || cost.r > 32 || cost.p > 16) return false;
  const key = await scrypt(password, Buffer.from(salt, "base64url"), cost);
  const want = Buffer.from(expected, "base64url");
  return want.byteLength === key.byteLength && timingSafeEqual(want, key);
};
