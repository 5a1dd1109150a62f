// tsc does not copy non-TS files: put the Lua scripts next to the compiled loader (dist/lua),
// replacing what an earlier build left there (a renamed script must not linger).
import { cpSync, rmSync } from "node:fs";
rmSync("dist/lua", { recursive: true, force: true });
cpSync("src/lua", "dist/lua", { recursive: true });
