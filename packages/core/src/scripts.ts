// Loads the Lua scripts in ./lua and runs them by EVALSHA (ioredis falls back to EVAL on NOSCRIPT).
// A script's file name is its contract: `<verb>-<number of keys>.lua`; its KEYS come from its
// builder in keys.ts (`scriptKeys`), so a call with keys of another script or of the wrong count does
// not compile. Scripts are identified by their SHA, so two tinyqs versions sharing one Redis never
// run each other's code. What a script returns is named in lua-codes.ts.
import { readdirSync, readFileSync } from "node:fs";
import type { ChainableCommander } from "ioredis";
import type { RedisClient } from "./connection.js";
import { TinyQSError } from "./errors.js";
import { scriptKeys, type ScriptKeys, type ScriptName } from "./keys.js";

export type { ScriptName };

const LUA_DIR = new URL("./lua/", import.meta.url);

interface ScriptFile {
  name: ScriptName;
  numberOfKeys: number;
  lua: string;
}

function readScripts(): ScriptFile[] {
  const scripts = readdirSync(LUA_DIR)
    .filter((f) => f.endsWith(".lua"))
    .map((file) => {
      const match = /^(.+)-(\d+)\.lua$/.exec(file);
      if (!match) throw new Error(`Lua script ${file} is not named <verb>-<keys>.lua`);
      if (!Object.hasOwn(scriptKeys, match[1]!)) throw new Error(`Lua script ${file} has no KEYS builder in keys.ts`);
      return { name: match[1] as ScriptName, numberOfKeys: Number(match[2]), lua: readFileSync(new URL(file, LUA_DIR), "utf8") };
    });
  const names = scripts.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`two Lua scripts are named ${twice}-*.lua in ${LUA_DIR.pathname}`);
  return scripts;
}

let cache: ScriptFile[] | undefined;

export type ScriptArg = string | number | Buffer;
type ScriptMethod = (...args: ScriptArg[]) => Promise<unknown>;

export class Scripts {
  private readonly keyCounts = new Map<ScriptName, number>();

  constructor(private readonly client: RedisClient) {
    for (const s of (cache ??= readScripts())) {
      client.defineCommand(`tinyqs_${s.name}`, { lua: s.lua, numberOfKeys: s.numberOfKeys });
      this.keyCounts.set(s.name, s.numberOfKeys);
    }
  }

  /** Run a script; strings in the reply stay Buffers when `buffers` is set (bodies are bytes). */
  run<S extends ScriptName>(name: S, keys: ScriptKeys<S>, args: ScriptArg[], buffers = false): Promise<unknown> {
    // Kept although the types see to it: a builder and a file name that disagree fail here, loudly.
    if (keys.length !== this.keyCounts.get(name)) {
      throw new TinyQSError("INTERNAL", `script ${name} takes ${this.keyCounts.get(name)} keys, got ${keys.length}`);
    }
    const method = (this.client as unknown as Record<string, ScriptMethod>)[`tinyqs_${name}${buffers ? "Buffer" : ""}`]!;
    return method.call(this.client, ...keys, ...args);
  }

  /** Queue a script call on a pipeline of this client (its reply comes with the pipeline's exec). */
  queueOn<S extends ScriptName>(pipeline: ChainableCommander, name: S, keys: ScriptKeys<S>, args: ScriptArg[]): void {
    (pipeline as unknown as Record<string, (...a: ScriptArg[]) => unknown>)[`tinyqs_${name}`]!(...keys, ...args);
  }
}
