// tsc does not copy non-TS files: put the Lua scripts next to the compiled loader (dist/lua).
import { cpSync } from "node:fs";
cpSync("src/lua", "dist/lua", { recursive: true, filter: (p) => !p.endsWith(".md") });
