// @tinyqs/client: connect(url) → a TinyQSApi over TCP (tinyqs://) or HTTP (http(s)://).
import { DEFAULTS, TinyQSError, type TinyQSApi } from "@tinyqs/core";
import { checkClientOptions, type ClientOptions } from "./common.js";
import { HttpClient } from "./http.js";
import { TcpClient } from "./tcp.js";

export type { ClientOptions } from "./common.js";
export { HttpClient } from "./http.js";
export { TcpClient } from "./tcp.js";
export { TinyQSError, isTinyQSError, type TinyQSApi } from "@tinyqs/core";

export const DEFAULT_TCP_PORT: number = DEFAULTS.tcpPort;
export const DEFAULT_HTTP_PORT: number = DEFAULTS.httpPort;

/**
 * A client for the tinyqs server at `url`:
 * - `tinyqs://[[user]:password@]host[:port]` (TCP/RESP, default port 7379); `tinyqss://` the same over TLS
 * - `http://host[:port]` or `https://host[:port]` (REST, and a WebSocket for process()'s worker;
 *   default port 7380, both: the port of tinyqs-http; a TLS proxy on the standard port is
 *   `https://host:443`)
 */
export function connect(url: string, options: ClientOptions = {}): TinyQSApi {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TinyQSError("BAD_ARGUMENT", `not a URL: ${JSON.stringify(url)}`);
  }
  checkClientOptions(options);
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  switch (u.protocol) {
    case "tinyqs:":
    case "tinyqss:": {
      const port = u.port ? Number(u.port) : DEFAULT_TCP_PORT;
      return new TcpClient({ host, port, ...options, ...credentials(u, options), tls: u.protocol === "tinyqss:" });
    }
    case "http:":
    case "https:": {
      const port = explicitPort(url) ?? DEFAULT_HTTP_PORT;
      const base = `${u.protocol}//${u.hostname}:${port}${u.pathname.replace(/\/+$/, "")}`;
      return new HttpClient(base, { ...options, ...credentials(u, options) });
    }
    default:
      throw new TinyQSError("BAD_ARGUMENT", `unsupported URL scheme ${JSON.stringify(u.protocol)}: use tinyqs://, tinyqss://, http:// or https://`);
  }
}

/** The user and password: the options', else the URL's. */
function credentials(u: URL, o: ClientOptions): Pick<ClientOptions, "username" | "password"> {
  return {
    username: o.username ?? (u.username ? decodeURIComponent(u.username) : undefined),
    password: o.password ?? (u.password ? decodeURIComponent(u.password) : undefined),
  };
}

/**
 * The port written in an http(s) URL, or undefined. Not `URL.port`: it is "" for a port that is the
 * scheme's default, so `http://host:80` would be indistinguishable from `http://host` (7380).
 */
function explicitPort(url: string): number | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)(?:[/?#]|$)/i.exec(url.trim());
  return m ? Number(m[1]) : undefined;
}
