// The users file (--users FILE, TINYQS_USERS_FILE): JSON, one entry per user with a password hash
// (never the password) and grants:
//   { "users": [ { "name": "producer", "password": "$scrypt$ln=15,r=8,p=1$…$…",
//                  "grants": [ { "queues": "orders.*", "allow": ["send"] } ] } ] }
// Read at start-up and again on SIGHUP; a file that does not parse is refused whole, naming the
// first problem, and the users in force stay as they were.
import { readFileSync } from "node:fs";
import { PERMISSIONS, makeGrant, type Grant, type Permission } from "./grants.js";
import { parsePasswordHash, type PasswordHash } from "./passwords.js";

export interface UserEntry {
  name: string;
  /** The hash as written (compared on reload: a changed password cuts the user's connections). */
  hashText: string;
  hash: PasswordHash;
  grants: Grant[];
}

const NAME = /^[\x21-\x7e]{1,64}$/;

function fail(file: string, where: string, what: string): never {
  throw new Error(`users file ${file}: ${where} ${what}`);
}

function grantOf(file: string, where: string, g: unknown): Grant {
  if (typeof g !== "object" || g === null || Array.isArray(g)) fail(file, where, 'must be { "queues": "<glob>", "allow": [...] }');
  const { queues, allow, ...rest } = g as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) fail(file, where, `has unknown field ${JSON.stringify(extra)}`);
  if (typeof queues !== "string" || !/^[A-Za-z0-9_.\-*?]{1,128}$/.test(queues)) {
    fail(file, `${where}.queues`, "must be a glob of queue-name characters, * and ? (e.g. \"orders.*\")");
  }
  if (!Array.isArray(allow) || allow.length === 0 || !allow.every((a) => (PERMISSIONS as readonly unknown[]).includes(a))) {
    fail(file, `${where}.allow`, `must be a non-empty list of ${PERMISSIONS.map((p) => JSON.stringify(p)).join(", ")}`);
  }
  return makeGrant(queues, allow as Permission[]);
}

/** The users of a file's text; throws an Error naming the file and the first problem. */
export function parseUsers(text: string, file: string): Map<string, UserEntry> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(file, "is not JSON:", (e as Error).message);
  }
  const list = (json as { users?: unknown } | null)?.users;
  if (typeof json !== "object" || json === null || !Array.isArray(list)) fail(file, "must be", '{ "users": [ … ] }');
  const users = new Map<string, UserEntry>();
  list.forEach((u: unknown, i) => {
    const where = `users[${i}]`;
    if (typeof u !== "object" || u === null || Array.isArray(u)) fail(file, where, "must be an object");
    const { name, password, grants, ...rest } = u as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) fail(file, where, `has unknown field ${JSON.stringify(extra)}`);
    if (typeof name !== "string" || !NAME.test(name)) fail(file, `${where}.name`, "must be 1-64 printable characters without spaces");
    if (users.has(name)) fail(file, `${where}.name`, `${JSON.stringify(name)} appears twice`);
    if (typeof password !== "string") fail(file, `${where}.password`, "must be a password hash (tinyqs-http hash-password makes one)");
    const hash = parsePasswordHash(password);
    if (typeof hash === "string") fail(file, `${where}.password`, hash);
    if (!Array.isArray(grants)) fail(file, `${where}.grants`, 'must be a list of { "queues", "allow" }');
    users.set(name, { name, hashText: password, hash, grants: grants.map((g, j) => grantOf(file, `${where}.grants[${j}]`, g)) });
  });
  return users;
}

export function readUsersFile(file: string): Map<string, UserEntry> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read the users file ${file}: ${(e as Error).message}`);
  }
  return parseUsers(text, file);
}
