// A queue command without a `grant` in the table would be open to every user of a --users file:
// each one must say what it needs (the REST routes have the same rule, kept by the compiler there).
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands/table.js";

describe("the command table's grants", () => {
  it("every queue and request/response command names the grant it needs", () => {
    const queueCommands = COMMANDS.filter((c) => c.group === "queue");
    expect(queueCommands.length).toBeGreaterThan(10);
    for (const c of queueCommands) expect(c.grant, c.name).toMatch(/^(send|receive|admin)$/);
  });
});
