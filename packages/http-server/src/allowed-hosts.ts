// Which names this server answers to: the defence against DNS rebinding. A page on evil.example
// whose name the attacker re-points to 127.0.0.1 talks to this server while the browser still
// thinks it talks to evil.example: it sends `Host: evil.example:7380` and `Origin:
// http://evil.example:7380`, and may read every answer (to the browser it is the page's own origin).
// So the Host must be a name the server answers to (as Vite's server.allowedHosts and
// webpack-dev-server's allowedHosts require):
//   - any IP literal (127.0.0.0/8, ::1, the address it listens on, a LAN address): a page whose origin
//     is an IP address was really loaded from that address, nothing was re-pointed;
//   - `localhost` and `*.localhost` (browsers resolve those to loopback themselves, never by DNS);
//   - the name given to listen() (`--host queue.lan`), and the names of --allowed-host
//     (`.example.com`: that name and every name under it).
import { isIP } from "node:net";

export interface HostCheck {
  /** Does the server answer to this Host header? (No Host: not a browser, which always sends one.) */
  allows(hostHeader: string | undefined): boolean;
  /** Also answer to `name` (the name listen() was given). */
  add(name: string): void;
}

/** The name part of a Host header (`[::1]:7380` → `[::1]`), lower case, without a final dot; null: malformed. */
export function hostNameOf(hostHeader: string): string | null {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(hostHeader.trim().toLowerCase());
  return m ? m[1]!.replace(/\.$/, "") : null;
}

const NAME = /^\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** The names given to --allowed-host, split at commas: `queue.example`, or `.example` for it and its subdomains. */
export function parseAllowedHosts(given: string | readonly string[] | undefined): readonly string[] {
  const list = typeof given === "string" ? given.split(",") : (given ?? []);
  return list.map((h) => h.trim().toLowerCase().replace(/(.)\.$/, "$1")).filter((h) => h !== "").map((h) => {
    if (!NAME.test(h) && isIP(h.replace(/^\[|\]$/g, "")) === 0) {
      throw new RangeError(`allowed host ${JSON.stringify(h)} is not a host name: give a name such as queue.example (or .example for it and every name under it), without scheme, port or path`);
    }
    return h;
  });
}

export function hostCheck(names: readonly string[]): HostCheck {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const add = (name: string) => {
    if (name.startsWith(".")) suffixes.push(name);
    else exact.add(name);
  };
  names.forEach(add);
  // Clients send the same few Host headers again and again: their verdicts are kept (a handful of
  // entries, emptied when full) instead of parsing each request's header anew.
  const verdicts = new Map<string, boolean>();
  const judge = (hostHeader: string): boolean => {
    const name = hostNameOf(hostHeader);
    if (name === null) return false;
    if (isIP(name.startsWith("[") ? name.slice(1, -1) : name) !== 0) return true;
    if (name === "localhost" || name.endsWith(".localhost") || exact.has(name)) return true;
    return suffixes.some((s) => name === s.slice(1) || name.endsWith(s));
  };
  return {
    allows(hostHeader) {
      if (hostHeader === undefined) return true;
      let ok = verdicts.get(hostHeader);
      if (ok === undefined) {
        if (verdicts.size >= 64) verdicts.clear();
        verdicts.set(hostHeader, (ok = judge(hostHeader)));
      }
      return ok;
    },
    add(name) {
      const n = hostNameOf(name);
      if (n && n !== "") add(n);
      verdicts.clear();
    },
  };
}

/** Why a request for a Host the server does not answer to is refused, and how to allow that name. */
export const unknownHostMessage = (hostHeader: string) => {
  const name = hostNameOf(hostHeader) || hostHeader;
  return `requests for host ${JSON.stringify(name)} are not allowed here (a defence against DNS rebinding): ` +
    `the server answers to localhost, IP addresses and the names given with --allowed-host; start it with --allowed-host ${name} to serve this name`;
};
