// A bin as a child process, the one way the tests start one (tinyqs-tcp, tinyqs-http, `pnpm start`):
// node with the given command and flags, stdout and stderr collected as text, its exit code as a
// promise. The tests differ only in what they pass: which environment the bin gets (ours, or ours
// without TINYQS_* so that a variable the tester happens to have set cannot change what is tested),
// whether it is SIGKILLed after a time (so a hung bin cannot outlive the test), and for `pnpm start`
// a process group of its own.
import { spawn, type ChildProcess } from "node:child_process";

/** A package's bin run from its TypeScript source: tsx, and core's sources too (no build needed). */
export const SOURCE_BIN = ["--conditions=@tinyqs/source", "--import", "tsx", "src/cli.ts"];

export interface SpawnBinOptions {
  /** Laid over the environment (ours, or ours without TINYQS_* with cleanTinyqsEnv). */
  env?: NodeJS.ProcessEnv;
  /** Drop every TINYQS_* of ours before `env` is laid over it. */
  cleanTinyqsEnv?: boolean;
  /** The bin's whole environment, instead of ours (used as given: `env` and cleanTinyqsEnv do not apply). */
  exactEnv?: NodeJS.ProcessEnv;
  /** SIGKILL the bin if it has not exited after this long. */
  killAfterMs?: number;
  /** What node runs before `args`: SOURCE_BIN unless told. */
  command?: string[];
  /** A process group of its own, to be signalled as a whole (see start.ts signalGroup). */
  detached?: boolean;
}

export interface SpawnedBin {
  child: ChildProcess;
  exited: Promise<number | null>;
  out: () => string;
  err: () => string;
  /** stdout and stderr as they came, interleaved: what a terminal would show. */
  all: () => string;
}

/** Our environment without any TINYQS_* (they would change what is tested), plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TINYQS_")) env[k] = v;
  return { ...env, ...extra };
}

export function spawnBin(cwd: string, args: string[], opts: SpawnBinOptions = {}): SpawnedBin {
  const env = opts.exactEnv ?? (opts.cleanTinyqsEnv ? cleanEnv(opts.env) : { ...process.env, ...opts.env });
  const child = spawn(process.execPath, [...(opts.command ?? SOURCE_BIN), ...args], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached ?? false,
  });
  let out = "";
  let err = "";
  let all = "";
  child.stdout!.on("data", (d) => ((out += d), (all += d)));
  child.stderr!.on("data", (d) => ((err += d), (all += d)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  if (opts.killAfterMs !== undefined) {
    const killer = setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs);
    child.once("exit", () => clearTimeout(killer));
  }
  return { child, exited, out: () => out, err: () => err, all: () => all };
}
