// The files of the dashboard page: its own (packages/http-server/ui/, plain ES modules, no build
// step) and the few libraries it imports, straight from this package's node_modules (Preact, its
// hooks, htm, uPlot), so the page works offline and no CDN is involved. Read once, kept in memory
// (about 200 KB in all).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
/** The page's own files: ../../ui from src/ui (tests) and from dist/ui (built) alike. */
const PAGE_DIR = fileURLToPath(new URL("../../ui/", import.meta.url));
const beside = (module: string, file: string) => path.join(path.dirname(require.resolve(module)), file);

/** Served under /ui/vendor/; the page's import map names them (ui/index.html). */
const VENDOR: Record<string, () => string> = {
  "preact.mjs": () => require.resolve("preact"),
  "preact-hooks.mjs": () => require.resolve("preact/hooks"),
  "htm.mjs": () => beside("htm", "htm.mjs"),
  "uplot.mjs": () => beside("uplot", "uPlot.esm.js"),
  "uplot.css": () => require.resolve("uplot/dist/uPlot.min.css"),
};

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

export interface Asset {
  type: string;
  body: Buffer;
}

/** Only files found are kept: names asked for at random must not grow it. */
const cache = new Map<string, Asset>();

function load(file: string): Asset {
  return { type: TYPES[path.extname(file)] ?? "application/octet-stream", body: readFileSync(file) };
}

/** A page file by its name under /ui/ (`app.js`, `vendor/preact.mjs`); null for anything else. */
export function asset(name: string): Asset | null {
  const kept = cache.get(name);
  if (kept) return kept;
  let found: Asset | null = null;
  if (name.startsWith("vendor/")) {
    const where = VENDOR[name.slice("vendor/".length)];
    found = where ? load(where()) : null;
  } else if (/^[a-z][a-z0-9-]*\.(html|js|css|svg)$/.test(name)) {
    try {
      found = load(path.join(PAGE_DIR, name));
    } catch {
      found = null;
    }
  }
  if (found) cache.set(name, found);
  return found;
}
