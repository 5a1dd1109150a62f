// Unit test, no Redis: every Lua script documents its contract in a header (KEYS, ARGV, Output), and
// the number in its file name is the number of keys it takes (receive-10.lua uses KEYS[1..10]), so
// the engine can pass the right numkeys and Redis Cluster sees every key the script touches.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { describe, expect, it } from "vitest";

const luaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/lua");
const files = readdirSync(luaDir).filter((f) => f.endsWith(".lua")).sort();

describe("Lua scripts", () => {
  it("there are scripts, each named <name>-<number of keys>.lua", () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^[a-z][a-z-]*-\d+\.lua$/);
  });

  describe.each(files)("%s", (file) => {
    const source = readFileSync(path.join(luaDir, file), "utf8");
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

    it("the header documents exactly KEYS[1..n], n from the file name", () => {
      const documented = [...header.matchAll(/^KEYS\[(\d+)\]/gm)].map((m) => Number(m[1]));
      expect(documented).toEqual(Array.from({ length: numKeys }, (_, i) => i + 1));
    });

    it("the highest KEYS[n] the code uses is n from the file name", () => {
      const used = [...code.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      expect(used.length, "the code reads its keys from KEYS").toBeGreaterThan(0);
      expect(Math.max(...used)).toBe(numKeys);
      // and never indexes KEYS with anything but a literal (no key built or picked at run time)
      expect(code).not.toMatch(/KEYS\[\s*[^\d\s]/);
    });
  });
});
