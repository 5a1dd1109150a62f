// The code mirrors the doc: docs/protocol.md has one section per command of the table, in the same
// order, and each section's form names the command; the README lists the queue commands.
import { readFileSync } from "node:fs";
import { DEFAULTS as CORE_DEFAULTS } from "@tinyqs/core";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands/index.js";
import { DEFAULTS } from "../src/defaults.js";

const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("docs/protocol.md", () => {
  it("has a section per command, in the table's order, and no other", () => {
    const sections = [...doc.matchAll(/^### ([A-Z]+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(COMMANDS.map((c) => c.name));
  });

  it("gives each command's exact form on an indented line", () => {
    for (const c of COMMANDS) {
      const at = doc.indexOf(`### ${c.name}\n`);
      const section = doc.slice(at, doc.indexOf("\n### ", at + 1));
      expect(section, c.name).toMatch(new RegExp(`^    ${c.name}( |$)`, "m"));
    }
  });

  it("states the defaults the code has", () => {
    expect(doc).toContain(`\`127.0.0.1:${DEFAULTS.port}\``);
    expect(doc).toContain("default 1024");
    expect(doc).toContain("default 65 536");
    expect(doc).toContain("default 10 000");
    expect(DEFAULTS.maxInlineBytes).toBe(65536);
    expect(DEFAULTS.maxArgs).toBe(1024);
    expect(DEFAULTS.maxConnections).toBe(10000);
    expect(doc).toContain(`(${COMMANDS.length})`); // COMMAND COUNT
  });
});

describe("the defaults, in the code, the doc and the README alike", () => {
  /** 1048576 → "1 048 576", as both documents write numbers. */
  const spaced = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, " ");

  it("message size: the engine's limit; the others as the table says", () => {
    expect(DEFAULTS.maxMessageBytes).toBe(CORE_DEFAULTS.maxMessageBytes);
    expect(doc).toContain(`\`--max-message-bytes\` (default ${spaced(DEFAULTS.maxMessageBytes)})`);
    expect(doc).toContain(`\`--max-command-bytes\` (default ${spaced(DEFAULTS.maxCommandBytes)}`);
    const rows: Array<[string, string]> = [
      ["--host", `\`${DEFAULTS.host}\``],
      ["--port", `\`${DEFAULTS.port}\``],
      ["--redis", `\`${DEFAULTS.redis}\``],
      ["--max-message-bytes", spaced(DEFAULTS.maxMessageBytes)],
      ["--max-args", String(DEFAULTS.maxArgs)],
      ["--max-command-bytes", spaced(DEFAULTS.maxCommandBytes)],
      ["--max-inline-bytes", spaced(DEFAULTS.maxInlineBytes)],
      ["--max-connections", spaced(DEFAULTS.maxConnections)],
      ["--idle-timeout", "0 (off)"],
    ];
    for (const [flag, value] of rows) expect(readme, flag).toMatch(new RegExp(`^\\| \`${flag}\` \\| \`[A-Z_]+\` \\| ${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\|`, "m"));
  });

  it("idle timeout: off", () => {
    expect(DEFAULTS.idleTimeoutMs).toBe(0);
    expect(doc).toContain("**Idle timeout.** Off by default.");
  });

  it("listens on loopback", () => {
    expect(DEFAULTS.host).toBe("127.0.0.1");
    expect(readme).toContain("loopback unless you choose otherwise");
  });
});

describe("README", () => {
  it("lists every queue command", () => {
    for (const c of COMMANDS.filter((c) => c.group === "queue")) expect(readme, c.name).toMatch(new RegExp(`\`${c.name}[ \`]`));
  });
});
