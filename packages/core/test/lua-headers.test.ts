// Unit test, no Redis: every Lua script documents its contract in a header (KEYS, ARGV, Output), and
// the number in its file name is the number of keys it takes (receive-10.lua uses KEYS[1..10]), so
// the engine can pass the right numkeys and Redis Cluster sees every key the script touches. The
// TypeScript side of that contract is held to the headers too: each script's KEYS builder (keys.ts)
// gives the keys in the order the header lists them, and each return code named in lua-codes.ts is
// the one the header's Output section gives that name.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KeySpace, scriptKeys, type QueueKeys, type ScriptName } from "../src/keys.js";
import { LUA_CODES } from "../src/lua-codes.js";

const luaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/lua");
const files = readdirSync(luaDir).filter((f) => f.endsWith(".lua")).sort();
const verbOf = (file: string) => /^(.+)-\d+\.lua$/.exec(file)![1]!;

/** A queue's keys named as the headers name them: "ready", "reply-expiry", "outbox-bodies", … */
const keyNames = Object.fromEntries(
  Object.entries(new KeySpace("p").queue("q")).map(([field, key]) => [field, key.slice("p:{q}:".length)]),
) as unknown as QueueKeys;
const targetNames = { ready: "target-ready", bodies: "target-bodies", stats: "target-stats" };
/** The keys several scripts share, in the one order they all take them. */
const SHARED_ORDER = ["ready", "delayed", "inflight", "bodies", "stats", "config"];

/** What a builder gives, with keys named as the headers name them. */
function builtKeys(verb: string): readonly string[] {
  const build = scriptKeys[verb as ScriptName] as (q: QueueKeys, t: typeof targetNames) => readonly string[];
  return build(keyNames, targetNames);
}

/** How a header writes a code: `NAME (literal)`, the literal as JSON ("1", -2). */
const documentedCode = /\b([A-Z][A-Z_]*) \((-?\d+|"[^"]*")\)/g;

describe("Lua scripts", () => {
  it("there are scripts, each named <name>-<number of keys>.lua", () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^[a-z][a-z-]*-\d+\.lua$/);
  });

  describe.each(files)("%s", (file) => {
    const file_ = readFileSync(path.join(luaDir, file), "utf8");
    // An optional first line `#!lua flags=…` (Redis >= 7) declares the script's flags; the header follows it.
    const shebang = /^#!lua(?: flags=([\w,-]+))?\n/.exec(file_);
    const flags = shebang?.[1]?.split(",") ?? [];
    const source = shebang ? file_.slice(shebang[0].length) : file_;
    const numKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    const headerMatch = /^--\[(=*)\[([\s\S]*?)\]\1\]/.exec(source);
    const header = headerMatch?.[2] ?? "";
    const code = headerMatch ? source.slice(headerMatch[0].length) : source;

    it("starts with a header block listing KEYS, ARGV (when it takes any) and Output", () => {
      expect(headerMatch, "a leading --[[ ... ]] comment").not.toBeNull();
      expect(header).toMatch(/^KEYS\[1\]/m);
      expect(header).toMatch(/^Output\b/m);
      if (/ARGV/.test(code)) expect(header, "the code reads ARGV: the header must list it").toMatch(/^ARGV\[1/m);
    });

    it("a script allowed past a full Redis (flags=allow-oom) says why in its header", () => {
      for (const flag of flags) expect(["allow-oom"], "the only flag tinyqs's scripts declare").toContain(flag);
      if (flags.includes("allow-oom")) expect(header).toMatch(/^Full Redis \(allow-oom\): \S/m);
      else expect(header).not.toMatch(/^Full Redis \(allow-oom\)/m);
    });

    it("the header documents exactly KEYS[1..n], n from the file name", () => {
      const documented = [...header.matchAll(/^KEYS\[(\d+)\]/gm)].map((m) => Number(m[1]));
      expect(documented).toEqual(Array.from({ length: numKeys }, (_, i) => i + 1));
    });

    it("its KEYS builder in keys.ts gives n keys, in the order and under the names the header lists", () => {
      expect(Object.hasOwn(scriptKeys, verbOf(file)), `scriptKeys["${verbOf(file)}"]`).toBe(true);
      // "KEYS[7] target ready  LIST ..." names the key "target-ready"
      const listed = [...header.matchAll(/^KEYS\[\d+\]\s+(.+?)\s+(?:LIST|ZSET|HASH|SET)\b/gm)].map((m) => m[1]!.replace(/\s+/g, "-"));
      expect(listed).toHaveLength(numKeys);
      expect(builtKeys(verbOf(file))).toEqual(listed);
    });

    it("takes the keys it shares with other scripts in the one order (ready, delayed, inflight, bodies, stats, config)", () => {
      const shared = builtKeys(verbOf(file)).filter((k) => SHARED_ORDER.includes(k));
      expect(shared).toEqual(SHARED_ORDER.filter((k) => shared.includes(k)));
    });

    it("its Output section names each of its codes in lua-codes.ts as `NAME (literal)`, and no others", () => {
      const output = header.slice(header.search(/^Output\b/m));
      const codes: Record<string, number | string> = (LUA_CODES as Record<string, Record<string, number | string>>)[verbOf(file)] ?? {};
      const documented = Object.fromEntries([...output.matchAll(documentedCode)].map((m) => [m[1]!, JSON.parse(m[2]!) as number | string]));
      expect(documented).toEqual(codes);
      for (const value of Object.values(codes)) {
        // and the code writes that literal somewhere (a string as '1' or "1", a number as a token)
        const literal = typeof value === "string" ? `['"]${value}['"]` : `(?<![\\w.-])${value}(?![\\w.])`;
        expect(code, `the code returns ${JSON.stringify(value)}`).toMatch(new RegExp(literal));
      }
    });

    it("the highest KEYS[n] the code uses is n from the file name", () => {
      const used = [...code.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      expect(used.length, "the code reads its keys from KEYS").toBeGreaterThan(0);
      expect(Math.max(...used)).toBe(numKeys);
      // and never indexes KEYS with anything but a literal (no key built or picked at run time)
      expect(code).not.toMatch(/KEYS\[\s*[^\d\s]/);
    });
  });

  it("every KEYS builder and every set of codes belongs to a script that exists", () => {
    const verbs = files.map(verbOf);
    expect(Object.keys(scriptKeys).sort()).toEqual([...verbs].sort());
    for (const verb of Object.keys(LUA_CODES)) expect(verbs).toContain(verb);
  });
});
