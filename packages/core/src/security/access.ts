// Who may do what on one server: the one place both servers ask. Credentials come from the users
// file (scoped users, scrypt hashes) and/or the single secret of --password / --token (one
// all-powerful user, `default`, checked by a constant-time comparison of SHA-256 digests). A login
// names a user (AUTH user pass, HTTP Basic) or only a secret (AUTH pass = user `default`, a Bearer
// token, matched against `default` and then each user of the file).
//
// A verified secret is remembered (by its SHA-256, never in clear) so that per-request HTTP
// authentication costs a hash and a lookup, not a scrypt; reload() forgets them all. A user keeps
// the same Principal object across reloads while their password hash is unchanged, its grants
// updated in place: a connection that holds it sees the new grants at its next command. A removed
// user, or one whose password changed, gets a new object or none: isCurrent() is then false and the
// servers cut that user's connections.
import { createHash, timingSafeEqual } from "node:crypto";
import { ALL_QUEUES, administersAny, allows, type Grant, type Permission } from "./grants.js";
import { LoginLimiter, type LoginLimitOptions } from "./login-limit.js";
import { verifyPassword, type PasswordHash } from "./passwords.js";
import { readUsersFile, type UserEntry } from "./users.js";

export interface Principal {
  readonly name: string;
  /** The grants in force (updated in place on reload). */
  grants: readonly Grant[];
}

export interface AccessOptions {
  /** The all-powerful user's secret (--password for TCP, --token for HTTP). */
  secret?: string;
  /** The users file (--users). */
  usersFile?: string;
  /** Where failed logins are said (address and user name, never the password). */
  log?: (line: string) => void;
  limit?: LoginLimitOptions;
}

export type LoginResult = { ok: true; principal: Principal } | { ok: false; limited: boolean };

const DEFAULT_USER = "default";
const CACHE_MAX = 10_000;

const sha256 = (...parts: Buffer[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest();
};

interface Held extends Principal {
  entry: UserEntry | null;
}

/** What the servers see when no credentials are configured: everyone is this user. */
export const OPEN_ACCESS: Principal = Object.freeze({ name: DEFAULT_USER, grants: ALL_QUEUES });

export class Access {
  /** Whether any credential is configured (else every connection is OPEN_ACCESS). */
  readonly required: boolean;
  private readonly secretDigest: Buffer | null;
  private readonly root: Held | null;
  private users = new Map<string, Held>();
  private verified = new Map<string, Held>();
  private readonly limiter: LoginLimiter;
  private readonly log: (line: string) => void;

  constructor(private readonly options: AccessOptions) {
    const secret = options.secret !== undefined && options.secret !== "" ? options.secret : null;
    this.secretDigest = secret === null ? null : sha256(Buffer.from(secret));
    this.root = secret === null ? null : { name: DEFAULT_USER, grants: ALL_QUEUES, entry: null };
    this.required = secret !== null || options.usersFile !== undefined;
    this.limiter = new LoginLimiter(options.limit);
    this.log = options.log ?? (() => {});
    if (options.usersFile !== undefined) this.reload();
  }

  get usersFile(): string | undefined {
    return this.options.usersFile;
  }

  /** Re-read the users file. Throws (naming the problem) and keeps the users in force if it is bad. */
  reload(): void {
    const file = this.options.usersFile;
    if (file === undefined) return;
    const entries = readUsersFile(file);
    if (this.root && entries.has(DEFAULT_USER)) {
      throw new Error(`users file ${file}: a user named "${DEFAULT_USER}" and a --password/--token (which is that user): give one or the other`);
    }
    const next = new Map<string, Held>();
    for (const entry of entries.values()) {
      const old = this.users.get(entry.name);
      if (old && old.entry?.hashText === entry.hashText) {
        old.grants = entry.grants;
        old.entry = entry;
        next.set(entry.name, old);
      } else {
        next.set(entry.name, { name: entry.name, grants: entry.grants, entry });
      }
    }
    this.users = next;
    this.verified = new Map();
  }

  /** Whether `p` is still a user in force: not removed, password unchanged since it logged in. */
  isCurrent(p: Principal): boolean {
    return p === OPEN_ACCESS ? !this.required : p === this.root || this.users.get(p.name) === p;
  }

  /** AUTH [user] pass, HTTP Basic: `name` null means the default user. */
  login(name: string | null, password: Buffer, from: string): Promise<LoginResult> {
    return this.attempt(name ?? DEFAULT_USER, from, () => this.check(name ?? DEFAULT_USER, password));
  }

  /** A Bearer token (or the WebSocket's ?token=): the default user's secret, or a user's password. */
  bearer(token: Buffer, from: string): Promise<LoginResult> {
    return this.attempt("(bearer token)", from, async () => {
      if (this.rootMatches(token)) return this.root;
      const key = sha256(Buffer.from("bearer"), token).toString("base64");
      const known = this.verified.get(key);
      if (known && this.users.get(known.name) === known) return known;
      for (const held of this.users.values()) {
        if (await verifyPassword(token, held.entry!.hash)) return this.remember(key, held);
      }
      return null;
    });
  }

  private async attempt(shownName: string, from: string, check: () => Promise<Held | null>): Promise<LoginResult> {
    if (!this.limiter.allowed(from)) {
      await new Promise((resolve) => setTimeout(resolve, this.limiter.delayMs));
      return { ok: false, limited: true };
    }
    const principal = await check();
    if (principal) return { ok: true, principal };
    const name = JSON.stringify(shownName.slice(0, 64));
    this.log(`failed login as ${name} from ${from}`);
    if (this.limiter.failed(from)) {
      this.log(`${this.limiter.maxFailures} failed logins from ${from} within ${this.limiter.windowMs} ms: its logins are refused unchecked for the rest of that time`);
    }
    return { ok: false, limited: false };
  }

  private rootMatches(secret: Buffer): boolean {
    return this.secretDigest !== null && timingSafeEqual(sha256(secret), this.secretDigest);
  }

  private async check(name: string, password: Buffer): Promise<Held | null> {
    if (name === DEFAULT_USER && this.root) return this.rootMatches(password) ? this.root : null;
    const held = this.users.get(name);
    const key = sha256(Buffer.from(name), password).toString("base64");
    const known = this.verified.get(key);
    if (held && known === held) return held;
    if (!held) {
      // An unknown user costs a hash too, so a wrong name takes as long as a wrong password.
      await verifyPassword(password, this.dummyHash());
      return null;
    }
    return (await verifyPassword(password, held.entry!.hash)) ? this.remember(key, held) : null;
  }

  /** A hash no password matches, at the cost of the file's first user's (or the default cost). */
  private dummyHash(): PasswordHash {
    const options = this.users.values().next().value?.entry?.hash.options ?? { N: 2 ** 15, r: 8, p: 1 };
    return { options, salt: Buffer.alloc(16), key: Buffer.alloc(32, 0xff) };
  }

  private remember(key: string, held: Held): Held {
    if (this.verified.size >= CACHE_MAX) this.verified.clear();
    this.verified.set(key, held);
    return held;
  }
}

/** May `p` do `permission` on `queue`? */
export function can(p: Principal, permission: Permission, queue: string): boolean {
  return allows(p.grants, permission, queue);
}

/**
 * May `p` redrive dead letters into `queue` (redrive's `to`)? It puts messages there, so it takes
 * send, or admin (who may purge or delete the queue anyway), on top of admin on the dead-letter queue.
 */
export function mayRedriveInto(p: Principal, queue: string): boolean {
  return allows(p.grants, "send", queue) || allows(p.grants, "admin", queue);
}

/** The queue list as `p` may see it: only the queues it administers; null if it administers none. */
export function visibleQueues(p: Principal, names: readonly string[]): string[] | null {
  if (!administersAny(p.grants)) return null;
  return names.filter((q) => allows(p.grants, "admin", q));
}
