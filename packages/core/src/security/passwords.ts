// Password hashes for the users file: scrypt (node:crypto), in the PHC string form
// `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (salt and hash base64, unpadded), so the file never holds a
// password and the cost travels with each hash. Verifying runs scrypt off the event loop (libuv's
// thread pool) and compares the derived keys in constant time.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** 2^15 × r 8 = 32 MiB and some 50-100 ms per hash on a small VM: costly to guess, once per login. */
const DEFAULT_LOG_N = 15;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface Parsed {
  options: ScryptOptions;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string | Buffer, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  // maxmem: room for the cost asked for (128 × N × r bytes) and a little more.
  const maxmem = 256 * (options.N ?? 1) * (options.r ?? 8) + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, length, { ...options, maxmem }, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");

/** A new hash of `password`, with a random salt. */
export async function hashPassword(password: string, logN = DEFAULT_LOG_N): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { N: 2 ** logN, r: 8, p: 1 });
  return `$scrypt$ln=${logN},r=8,p=1$${b64(salt)}$${b64(key)}`;
}

/** The parts of a hash, or the reason it is not one (for the users file's error). */
export function parsePasswordHash(hash: string): Parsed | string {
  const m = PHC.exec(hash);
  if (!m) return "is not a password hash ($scrypt$ln=…,r=…,p=…$salt$hash; make one with `tinyqs-http hash-password`)";
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 10 || ln > 20 || r < 1 || p < 1 || p > 4) return `has scrypt parameters out of range (ln 10-20, r >= 1, p 1-4): ln=${ln},r=${r},p=${p}`;
  const key = Buffer.from(m[5]!, "base64");
  if (key.length < 16) return "has a hash shorter than 16 bytes";
  return { options: { N: 2 ** ln, r, p }, salt: Buffer.from(m[4]!, "base64"), key };
}

/** Whether `password` is the one `hash` was made from (constant-time comparison of the keys). */
export async function verifyPassword(password: Buffer, parsed: Parsed): Promise<boolean> {
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.options);
  return timingSafeEqual(key, parsed.key);
}

export type PasswordHash = Parsed;
