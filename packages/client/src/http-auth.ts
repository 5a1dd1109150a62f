// What an http(s):// client sends to be let in, and how it reaches a TLS server with options of its
// own: the Authorization header (Basic user:password with `username`, else Bearer `token`), and a
// fetch whose connections use the `ca`, `cert` and `key` options (undici's, the fetch Node ships).
import { Agent, fetch as undiciFetch } from "undici";
import type { ClientOptions } from "./common.js";
import { tlsConnectOptions } from "./tls.js";

/** The Authorization header for these options, or undefined (an open server). */
export function authorizationOf(o: ClientOptions): string | undefined {
  if (o.username !== undefined) return `Basic ${Buffer.from(`${o.username}:${o.password ?? ""}`).toString("base64")}`;
  if (o.token !== undefined) return `Bearer ${o.token}`;
  return undefined;
}

/** A fetch for an https:// base given ca/cert/key; null when Node's own will do. */
export function tlsFetch(base: string, o: ClientOptions): typeof fetch | null {
  if (!base.startsWith("https:") || (o.ca === undefined && o.cert === undefined)) return null;
  const dispatcher = new Agent({ connect: tlsConnectOptions(o, new URL(base).hostname) });
  return ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
