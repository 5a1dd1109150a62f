// Grants: what a user may do, queue by queue. A grant is a glob over queue names (`*` any run of
// characters, `?` one; queue names have no other special characters) and the verbs it allows:
//   send     send, batch send, put (a request) and the wait for its reply
//   receive  receive, peek, take, and acting on a delivery: delete, touch, release, respond
//   admin    a queue's stats and settings, configure, purge, and seeing it in the queue list
export const PERMISSIONS = ["send", "receive", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface Grant {
  /** The glob as written in the users file. */
  readonly queues: string;
  readonly allow: ReadonlySet<Permission>;
  readonly matches: (queue: string) => boolean;
}

/** A glob over queue names as a test. */
export function globMatcher(glob: string): (queue: string) => boolean {
  if (glob === "*") return () => true;
  const source = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const re = new RegExp(`^${source}$`);
  return (queue) => re.test(queue);
}

export function makeGrant(queues: string, allow: Iterable<Permission>): Grant {
  return { queues, allow: new Set(allow), matches: globMatcher(queues) };
}

/** Every verb on every queue: the user of --password / --token. */
export const ALL_QUEUES: readonly Grant[] = [makeGrant("*", PERMISSIONS)];

export function allows(grants: readonly Grant[], permission: Permission, queue: string): boolean {
  return grants.some((g) => g.allow.has(permission) && g.matches(queue));
}

/** Some queue may be administered: the queue list is open to the user (filtered by admits). */
export function administersAny(grants: readonly Grant[]): boolean {
  return grants.some((g) => g.allow.has("admin"));
}

/** Admin on every queue: a grant of exactly `*` (what names every queue, like /metrics, needs; `?*` is not it). */
export function administersAll(grants: readonly Grant[]): boolean {
  return grants.some((g) => g.queues === "*" && g.allow.has("admin"));
}
