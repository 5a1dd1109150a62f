// The routes of the page itself: `/` and `/ui` redirect to `/ui/`, which serves index.html; its
// scripts, styles and libraries under /ui/ (assets.ts); /ui/config.json tells it how it is served.
// All of them before the credentials check: they hold no queue data, and the page must load to ask
// for the token. Every data request the page then makes is an API request like any other.
import { createHash } from "node:crypto";
import { Router, type Response } from "express";
import { asset } from "./assets.js";
import type { UiMode } from "./mode.js";

export interface PageConfig {
  mode: Exclude<UiMode, "off">;
  /** The API needs credentials (--token or --users): the page asks for them first. */
  credentials: boolean;
}

/**
 * What the page may load: only this server's own files and requests; the one inline script is the
 * import map, allowed by its hash. A body or name shown by mistake as HTML could run nothing.
 */
function contentSecurityPolicy(html: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
  const hash = createHash("sha256").update(importMap).digest("base64");
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self' 'unsafe-inline'", // uPlot positions its parts with style attributes
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

function send(res: Response, name: string): void {
  const file = asset(name);
  if (!file) return void res.status(404).type("text/plain").send(`no such file of the dashboard: ${name}`);
  res.set({ "Content-Type": file.type, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" });
  if (name === "index.html") res.set("Content-Security-Policy", contentSecurityPolicy(file.body.toString("utf8")));
  res.send(file.body);
}

export function pageRoutes(config: PageConfig): Router {
  const r = Router({ caseSensitive: true, strict: true });
  for (const path of ["/", "/ui"]) r.get(path, (_req, res) => res.redirect(302, "/ui/"));
  r.get("/ui/", (_req, res) => send(res, "index.html"));
  r.get("/ui/config.json", (_req, res) => void res.set("Cache-Control", "no-store").json(config));
  r.get("/ui/vendor/:file", (req, res) => send(res, `vendor/${req.params.file}`));
  r.get("/ui/:file", (req, res) => send(res, req.params.file));
  return r;
}
