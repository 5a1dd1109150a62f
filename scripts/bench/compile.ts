// The measured child runs as plain `node`, not under tsx: tsx's loader adds ~25 MB of RSS to the
// process, which would skew the peak-RSS comparison with the peers (plain `node bench.mjs`). So the
// benchmark sources are compiled once per `pnpm bench` with the workspace's tsc (well under a
// second) into node_modules/.cache/tinyqs-bench: inside node_modules, so nothing shows up in git and
// `ioredis` still resolves from the repo's node_modules. If that fails, fall back to tsx.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

export interface ChildEntry {
  file: string;
  execArgv: string[];
  note: string;
}

export function compileChild(): ChildEntry {
  const tsFallback: ChildEntry = {
    file: fileURLToPath(new URL("./child.ts", import.meta.url)),
    execArgv: process.execArgv, // tsx's loader flags
    note: "child runs under tsx (its RSS includes tsx's loader)",
  };
  const outDir = join(REPO, "node_modules", ".cache", "tinyqs-bench");
  const tsc = join(REPO, "node_modules", ".bin", "tsc");
  if (!existsSync(tsc)) return tsFallback;
  const r = spawnSync(
    tsc,
    ["-p", join(REPO, "scripts", "bench"), "--noEmit", "false", "--rootDir", REPO, "--outDir", outDir],
    { encoding: "utf8" },
  );
  const file = join(outDir, "scripts", "bench", "child.js");
  if (r.status !== 0 || !existsSync(file)) {
    process.stderr.write(`tsc could not compile the benchmark, using tsx instead:\n${r.stdout}${r.stderr}\n`);
    return tsFallback;
  }
  // Under node_modules, Node does not look further up for package.json: mark the output as ESM here.
  writeFileSync(join(outDir, "package.json"), '{ "type": "module" }\n');
  return { file, execArgv: [], note: "child runs as plain node (compiled with tsc)" };
}
