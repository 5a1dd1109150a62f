#!/usr/bin/env node
// Publishability check for @tinyqs/core (the package it packs; the private @tinyqs/test-support is never packed).
//
//   node scripts/check-pack.mjs [--build | --no-build] [--keep]
//
// 1. Builds packages/core if a file of dist/ is missing or older than its source (--build: always, --no-build: never).
// 2. `pnpm pack`s it into a temporary folder and checks the tarball: dist/index.js, dist/index.d.ts, every
//    src/lua/*.lua as dist/lua/*.lua, every path named by main/types/exports present (the "@tinyqs/source"
//    condition excepted: it points at ./src, which is not shipped), no src/, tests or *.tsbuildinfo, no
//    `workspace:` range left in package.json, version in step with lerna.json.
// 3. `npm install`s the tarball into an empty project outside the workspace and, there:
//    - type-checks a small .ts consumer (NodeNext and Bundler resolution) with the workspace's tsc, and
//      checks that the types come from dist/index.d.ts;
//    - runs a small ESM script that imports { TinyQS } from '@tinyqs/core' (checking it resolves to
//      dist/index.js), connects to a private redis-server that this script starts on a free port
//      (with the tests' launcher, @tinyqs/test-support/redis-server),
//      sends, receives, deletes, checks the body, closes, and must then exit by itself.
// 4. Stops that redis-server by its PID and removes the temporary folder (kept on failure, or with --keep).
//
// Prints `check-pack: OK` and exits 0 on success; prints `check-pack: FAILED: <reason>` and exits 1 otherwise.
// packages/core/test/pack.test.ts runs it as part of `pnpm test`.

import { spawn } from "node:child_process";
import { gunzipSync } from "node:zlib";
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// The Redis launcher is TypeScript, shared with the tests and the benchmark (@tinyqs/test-support, a
// private workspace package that is never packed). tsx's loader, registered for this process only
// (children started below do not inherit it), lets plain `node scripts/check-pack.mjs` import it.
register();
const { RedisServer } = await import("@tinyqs/test-support/redis-server");

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CORE = join(ROOT, "packages", "core");
const PKG_NAME = "@tinyqs/core";

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!["--build", "--no-build", "--keep"].includes(a)) {
    console.error(`usage: node scripts/check-pack.mjs [--build | --no-build] [--keep]  (unknown: ${a})`);
    process.exit(2);
  }
}
const KEEP = args.has("--keep");

const t0 = Date.now();
const log = (msg) => console.log(`[check-pack +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const notes = [];
const note = (msg) => { notes.push(msg); log(`note: ${msg}`); };

class CheckError extends Error {}
const fail = (msg) => { throw new CheckError(msg); };

// ---------------------------------------------------------------------------------------------------------
// helpers

/** Environment for the consumer side: nothing inherited from pnpm/npm scripts or NODE_OPTIONS. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_)/i.test(k) || k === "NODE_OPTIONS" || k === "INIT_CWD") continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Runs a command, streaming its output indented; resolves { code, signal, out } (never rejects on exit code). */
function run(cmd, argv, { cwd = ROOT, env = process.env, timeoutMs = 120_000, quiet = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let timedOut = false;
    const onData = (chunk) => {
      const s = chunk.toString();
      out += s;
      if (!quiet) process.stdout.write(s.replace(/^(?=.)/gm, "    "));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, timeoutMs);
    child.on("error", (err) => { clearTimeout(timer); reject(err); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, out, timedOut });
    });
  });
}

async function mustRun(what, cmd, argv, opts) {
  log(`$ ${[cmd, ...argv].join(" ")}${opts?.cwd && opts.cwd !== ROOT ? `   (in ${opts.cwd})` : ""}`);
  let r;
  try {
    r = await run(cmd, argv, opts);
  } catch (err) {
    fail(`${what}: could not start ${cmd}: ${err.message}`);
  }
  if (r.timedOut) fail(`${what}: timed out after ${(opts?.timeoutMs ?? 120_000) / 1000}s`);
  if (r.code !== 0) fail(`${what}: exit ${r.code ?? r.signal}`);
  return r.out;
}

/** Source files whose build output is missing or older than they are ([] = dist/ is up to date). */
function staleSources() {
  const src = join(CORE, "src");
  const stale = [];
  for (const e of readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const abs = join(e.parentPath ?? e.path, e.name);
    const rel = relative(src, abs).replaceAll("\\", "/");
    let out;
    if (rel.startsWith("lua/") && rel.endsWith(".lua")) out = rel;
    else if (rel.endsWith(".ts") && !rel.endsWith(".d.ts") && !/\.test\.ts$/.test(rel)) out = rel.replace(/\.ts$/, ".js");
    else continue;
    const built = join(CORE, "dist", out);
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(abs).mtimeMs) stale.push(rel);
  }
  return stale;
}

/** Minimal reader for the (gzipped, ustar/pax) tarballs that pnpm pack writes: Map<path, Buffer>. */
function readTarball(file) {
  const buf = gunzipSync(readFileSync(file));
  const entries = new Map();
  let off = 0;
  let paxPath = null;
  const str = (a, b) => buf.subarray(off + a, off + b).toString("utf8").replace(/\0.*$/s, "");
  while (off + 512 <= buf.length) {
    if (buf.subarray(off, off + 512).every((b) => b === 0)) break;
    const name = str(0, 100);
    const size = parseInt(str(124, 136).trim() || "0", 8);
    const type = String.fromCharCode(buf[off + 156] || 48);
    const magic = str(257, 263);
    const prefix = magic.startsWith("ustar") ? str(345, 500) : "";
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      const m = /\d+ path=([^\n]*)\n/.exec(data.toString("utf8"));
      paxPath = m ? m[1] : null;
      continue;
    }
    if (type === "g") continue;
    const path = paxPath ?? (prefix ? `${prefix}/${name}` : name);
    paxPath = null;
    if (type === "0" || type === "\0" || type === "7") entries.set(path, Buffer.from(data));
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------------------
// private redis-server: the tests' own launcher (free port, temp dir, stopped by PID; it also kills it if
// this process exits first)

let redis = null;

async function startRedis() {
  try {
    redis = await RedisServer.start();
  } catch (err) {
    if (/ENOENT/.test(err.message)) fail("redis-server is not installed (apt-get install -y redis-server)");
    fail(`could not start a private redis-server: ${err.message}`);
  }
  return { port: redis.port, pid: redis.pid };
}

async function stopRedis() {
  const server = redis;
  redis = null;
  await server?.cleanup();
}

for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

// ---------------------------------------------------------------------------------------------------------
// the files written into the consumer project

const SMOKE_MJS = `// Written by tinyqs scripts/check-pack.mjs: uses @tinyqs/core as an npm consumer would.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { TinyQS } from "@tinyqs/core";

const resolved = fileURLToPath(import.meta.resolve("@tinyqs/core")).replaceAll("\\\\", "/");
console.log("@tinyqs/core resolves to " + resolved);
assert.match(resolved, /\\/node_modules\\/@tinyqs\\/core\\/dist\\/index\\.js$/, "must resolve to the tarball's dist/index.js");
assert.equal(typeof TinyQS, "function", "TinyQS must be exported as a class");

const tq = new TinyQS({ redis: process.env.TINYQS_REDIS_URL });
const queue = "pack-check." + process.pid;
const body = "hello from the packed tarball \\u2713 " + Date.now();
try {
  const id = await tq.send(queue, body);
  assert.equal(typeof id, "string", "send() must resolve to a string id");
  const msg = await tq.receive(queue, { waitMs: 2000 });
  assert.ok(msg, "receive() returned null right after send()");
  assert.equal(msg.id, id, "received id");
  assert.ok(Buffer.isBuffer(msg.body), "body must be a Buffer");
  assert.equal(msg.body.toString("utf8"), body, "body must come back byte-exact");
  assert.equal(msg.receiveCount, 1, "receiveCount");
  assert.equal(typeof msg.receipt, "string", "receipt");
  assert.equal(await tq.delete(queue, msg.receipt), true, "delete(receipt) must return true");
  assert.equal(await tq.delete(queue, msg.receipt), false, "a second delete must return false");
  assert.equal(await tq.receive(queue, { waitMs: 0 }), null, "queue must be empty after delete");
} finally {
  await tq.close();
}
console.log("consumer smoke test: OK");
// No process.exit(): after close() the process must end by itself (no open handles).
`;

const TYPES_TS = `// Written by tinyqs scripts/check-pack.mjs: type-checks against the published .d.ts.
import { TinyQS } from "@tinyqs/core";

async function main(): Promise<void> {
  const tq: TinyQS = new TinyQS({ redis: "redis://127.0.0.1:6379" });
  const id: string = await tq.send("q", "x");
  const msg = await tq.receive("q", { waitMs: 10 });
  if (msg) {
    const body: Buffer = msg.body;
    const ok: boolean = await tq.delete("q", msg.receipt ?? id);
    void body; void ok;
  }
  await tq.close();
}
void main;
`;

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const work = mkdtempSync(join(tmpdir(), "tinyqs-check-pack-"));
  log(`temporary folder: ${work}`);
  let ok = false;
  try {
    // 1. build
    const dist = join(CORE, "dist");
    const stale = staleSources();
    if (args.has("--build") || (stale.length > 0 && !args.has("--no-build"))) {
      log(`building ${PKG_NAME}${args.has("--build") ? "" : ` (dist/ missing or older than src/: ${stale.join(", ")})`}`);
      await mustRun("build", "pnpm", ["run", "build"], { cwd: CORE, timeoutMs: 180_000 });
      const missing = staleSources().filter((f) => !existsSync(join(CORE, "dist", f.replace(/\.ts$/, ".js"))));
      if (missing.length) {
        const info = existsSync(join(CORE, "tsconfig.tsbuildinfo"))
          ? " (packages/core/tsconfig.tsbuildinfo survived a removed dist/, so `tsc -b` thinks it is up to date and emits nothing: delete it, or build with `tsc -b --force`)"
          : "";
        fail(`the build left no output for ${missing.join(", ")}${info}`);
      }
    } else {
      log(stale.length ? `dist/ is older than ${stale.join(", ")}, but --no-build: not building` : "dist/ is up to date: not building");
    }

    // 2. pack and inspect
    const packDir = join(work, "pack");
    mkdirSync(packDir);
    await mustRun("pnpm pack", "pnpm", ["pack", "--pack-destination", packDir], { cwd: CORE, timeoutMs: 60_000, quiet: true });
    const tgzs = readdirSync(packDir).filter((f) => f.endsWith(".tgz"));
    if (tgzs.length !== 1) fail(`expected one tarball in ${packDir}, found: ${tgzs.join(", ") || "none"}`);
    const tarball = join(packDir, tgzs[0]);
    log(`tarball: ${tgzs[0]} (${statSync(tarball).size} bytes)`);
    inspectTarball(tarball);

    // 3. install into an empty project
    const app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify(
      { name: "tinyqs-pack-check", version: "0.0.0", private: true, type: "module" }, null, 2) + "\n");
    await mustRun("npm install of the tarball", "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=warn", tarball],
      { cwd: app, env: cleanEnv(), timeoutMs: 150_000 });
    const installed = JSON.parse(readFileSync(join(app, "node_modules", "@tinyqs", "core", "package.json"), "utf8"));
    log(`installed ${installed.name}@${installed.version}; app dependencies: ${JSON.stringify(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).dependencies)}`);

    await typeCheck(app);

    // 4. run it against a private redis-server
    const { port, pid } = await startRedis();
    log(`private redis-server: 127.0.0.1:${port} (pid ${pid})`);
    writeFileSync(join(app, "smoke.mjs"), SMOKE_MJS);
    log("$ node smoke.mjs");
    const r = await run(process.execPath, ["smoke.mjs"], {
      cwd: app, env: cleanEnv({ TINYQS_REDIS_URL: `redis://127.0.0.1:${port}` }), timeoutMs: 30_000,
    });
    const smokeOk = /consumer smoke test: OK/.test(r.out);
    if (r.timedOut && smokeOk) fail("the consumer script passed but did not exit by itself after close() (open handles left)");
    if (r.timedOut) fail("the consumer script timed out (30 s)");
    if (r.code !== 0 || !smokeOk) fail(`the consumer script failed (exit ${r.code ?? r.signal})`);

    // Informational: what the "@tinyqs/source" export condition does to someone who opts into it.
    const src = await run(process.execPath, ["--conditions=@tinyqs/source", "--input-type=module", "-e",
      "await import('@tinyqs/core')"], { cwd: app, env: cleanEnv(), timeoutMs: 15_000, quiet: true });
    if (src.code !== 0) {
      note(`exports["."]["@tinyqs/source"] points at ./src/index.ts, which is not in the tarball: harmless by default (Node, TypeScript and bundlers ignore unknown conditions, verified above), but a consumer running with --conditions=@tinyqs/source gets ${/ERR_MODULE_NOT_FOUND/.test(src.out) ? "ERR_MODULE_NOT_FOUND" : `exit ${src.code}`}`);
    }

    ok = true;
  } finally {
    await stopRedis();
    if (ok && !KEEP) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

function inspectTarball(tarball) {
  const entries = readTarball(tarball);
  const files = [...entries.keys()].map((p) => p.replace(/^package\//, "")).sort();
  log(`tarball holds ${files.length} files: ${files.join(", ")}`);
  const problems = [];
  const has = (p) => entries.has(`package/${p.replace(/^\.\//, "")}`);

  for (const need of ["package.json", "dist/index.js", "dist/index.d.ts"]) if (!has(need)) problems.push(`missing ${need}`);
  const luaSrc = readdirSync(join(CORE, "src", "lua")).filter((f) => f.endsWith(".lua"));
  if (luaSrc.length === 0) problems.push("packages/core/src/lua has no .lua files (?)");
  for (const f of luaSrc) if (!has(`dist/lua/${f}`)) problems.push(`missing dist/lua/${f}`);
  // Neither tsc -b nor copy-lua.mjs removes outputs of deleted or renamed sources: a local dist/ can ship
  // leftovers (a fresh clone cannot). Reported, not failed: `rm -rf packages/core/dist` and rebuild.
  const srcFiles = new Set(readdirSync(join(CORE, "src"), { recursive: true }).map((p) => String(p).replaceAll("\\", "/")));
  const leftovers = files.filter((f) => {
    if (!f.startsWith("dist/")) return false;
    const rel = f.slice(5);
    if (rel.startsWith("lua/")) return !srcFiles.has(rel);
    const ts = rel.replace(/\.(d\.ts|js)(\.map)?$/, ".ts");
    return ts !== rel && !srcFiles.has(ts);
  });
  if (leftovers.length) note(`dist/ has files with no source in src/ (stale build outputs, shipped by this pack): ${leftovers.join(", ")}`);
  for (const f of files) {
    if (f.startsWith("src/")) problems.push(`ships source file ${f}`);
    if (/(^|\/)(test|tests|__tests__)\//.test(f) || /\.(test|spec)\.[cm]?[jt]s(\.map)?$/.test(f) || /\.test\.d\.ts$/.test(f)) problems.push(`ships test file ${f}`);
    if (f.endsWith(".tsbuildinfo")) problems.push(`ships ${f}`);
    if (f.endsWith(".tgz")) problems.push(`ships a tarball ${f}`);
  }

  const manifestText = entries.get("package/package.json")?.toString("utf8") ?? "{}";
  const manifest = JSON.parse(manifestText);
  if (/workspace:/.test(manifestText)) problems.push(`package.json still has workspace: ranges: ${manifestText.match(/"[^"]*":\s*"workspace:[^"]*"/g)?.join(", ")}`);
  if (manifest.name !== PKG_NAME) problems.push(`package.json name is ${manifest.name}`);
  const lernaVersion = JSON.parse(readFileSync(join(ROOT, "lerna.json"), "utf8")).version;
  if (manifest.version !== lernaVersion) problems.push(`version ${manifest.version} is not lerna.json's ${lernaVersion}`);
  if (manifest.type !== "module") problems.push(`package.json "type" is ${manifest.type}, expected "module"`);

  // Every file named by main / types / exports must be in the tarball, except the source-only condition.
  const targets = [];
  const walk = (node, path) => {
    if (typeof node === "string") targets.push([path, node]);
    else if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
    else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
  };
  if (manifest.main) targets.push(["main", manifest.main]);
  if (manifest.types) targets.push(["types", manifest.types]);
  walk(manifest.exports, "exports");
  let sourceCondition = null;
  for (const [where, target] of targets) {
    if (target.includes("*")) continue;
    if (where.includes("@tinyqs/source")) { sourceCondition = [where, target]; continue; }
    if (!has(target)) problems.push(`${where} -> ${target} is not in the tarball`);
  }
  if (sourceCondition && !has(sourceCondition[1])) {
    // Checked for real below (resolution in the consumer, and a --conditions run); recorded here.
    log(`${sourceCondition[0]} -> ${sourceCondition[1]} is not shipped (dev-only condition; checked below that consumers ignore it)`);
  }
  const exp = manifest.exports?.["."];
  if (exp && typeof exp === "object") {
    const keys = Object.keys(exp);
    if (keys.includes("types") && keys.indexOf("types") > keys.indexOf("default")) problems.push(`exports["."]: "types" must come before "default"`);
  }
  if (!files.some((f) => /^readme(\.md)?$/i.test(f))) note("the tarball has no README (packages/core/README.md not written yet?)");
  if (!files.some((f) => /^licen[cs]e/i.test(f))) note(`the tarball has no LICENSE file (package.json says "${manifest.license}")`);

  if (problems.length) fail(`tarball content:\n  - ${problems.join("\n  - ")}`);
  log(`tarball content OK (${luaSrc.length} Lua scripts; dependencies ${JSON.stringify(manifest.dependencies ?? {})})`);
}

async function typeCheck(app) {
  const tsc = join(ROOT, "node_modules", ".bin", "tsc");
  const typesNode = join(ROOT, "node_modules", "@types");
  if (!existsSync(tsc) || !existsSync(join(typesNode, "node"))) {
    note("workspace tsc or @types/node not installed: skipped the type check of the consumer");
    return;
  }
  writeFileSync(join(app, "types-check.ts"), TYPES_TS);
  for (const [label, module, moduleResolution] of [["nodenext", "NodeNext", "NodeNext"], ["bundler", "ESNext", "Bundler"]]) {
    const cfg = `tsconfig.${label}.json`;
    writeFileSync(join(app, cfg), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module, moduleResolution, strict: true, noEmit: true, skipLibCheck: false,
        types: ["node"], typeRoots: [typesNode],
      },
      files: ["types-check.ts"],
    }, null, 2) + "\n");
    const out = await mustRun(`type check (${moduleResolution})`, tsc, ["-p", cfg, "--listFiles"],
      { cwd: app, env: cleanEnv(), timeoutMs: 60_000, quiet: true });
    const listed = out.split("\n").map((l) => l.trim().replaceAll("\\", "/"));
    const core = listed.filter((l) => l.includes("/node_modules/@tinyqs/core/"));
    if (!core.some((l) => l.endsWith("/node_modules/@tinyqs/core/dist/index.d.ts")))
      fail(`type check (${moduleResolution}): @tinyqs/core types did not come from dist/index.d.ts (got: ${core.join(", ") || "nothing"})`);
    if (core.some((l) => /\/node_modules\/@tinyqs\/core\/src\//.test(l)))
      fail(`type check (${moduleResolution}): resolved into src/: ${core.join(", ")}`);
    log(`type check (${moduleResolution}) OK: types from ${relative(app, core.find((l) => l.endsWith("dist/index.d.ts")))}`);
  }
}

main().then(
  () => {
    log(`check-pack: OK${notes.length ? ` (${notes.length} note${notes.length > 1 ? "s" : ""})` : ""}`);
    console.log("check-pack: OK");
  },
  (err) => {
    if (!(err instanceof CheckError)) console.error(err);
    console.log(`check-pack: FAILED: ${err.message}`);
    process.exitCode = 1;
  },
);
