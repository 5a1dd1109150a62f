// Command-line flags of `pnpm bench`. Kept apart from main.ts so the flags are documented in one place.
import { DEFAULT_SETTINGS, isScenarioName, SCENARIO_NAMES, type ScenarioName, type Settings } from "./scenarios.js";

export interface CliOptions {
  scenarios: ScenarioName[];
  rounds: number;
  json: boolean;
  /** Use this Redis instead of starting a private one (it is FLUSHed before every scenario!). */
  redis: string | null;
  target: string;
  settings: Settings;
}

/** Default hard limit of a run when the target is a server (tcp, http, ws): see parseArgs. */
const SERVER_TARGET_TIMEOUT_MS = 900_000;

export const USAGE = `usage: pnpm bench [flags]
  --scenarios A,B,C   which scenarios to run (default: all): the original spec's A-E, and R, its
                      request/response shape (put+wait / take+respond, 20 000 x 1 KiB at once)
  --rounds N          run each scenario N times, interleaved, and report the median (default 1)
  --json              print one JSON line per run on stdout (the summary goes to stderr)
  --redis URL         use this Redis instead of a private one; it is FLUSHed before every scenario,
                      so point it at a scratch instance or db (e.g. redis://127.0.0.1:6400/15)
  --target NAME       what to measure (default: engine)
  --wait-ms MS        long-poll length of each receive and take (default ${DEFAULT_SETTINGS.waitMs})
  --window N          sends in flight; in R, requests in flight (default ${DEFAULT_SETTINGS.window})
  --concurrency N     receive->delete loops; in R, take->respond loops (default ${DEFAULT_SETTINGS.concurrency})
  --durability-replicas N  the engine waits for N replicas per write (durability.replicas); the private
                      Redis gets N replicas (--replicaof). Engine target only; compare with a run without
  --timeout S         give up on a run after S seconds (default ${DEFAULT_SETTINGS.timeoutMs / 1000}; ${SERVER_TARGET_TIMEOUT_MS / 1000} for a server target)`;

function positiveInt(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${String(v)}`);
  return n;
}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    scenarios: [...SCENARIO_NAMES],
    rounds: 1,
    json: false,
    redis: null,
    target: "engine",
    settings: { ...DEFAULT_SETTINGS },
  };
  let timeoutGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    // accept both "--flag value" and "--flag=value"
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--": break; // `pnpm bench -- --rounds 3` passes the separator through
      case "--scenarios": {
        const list = (value() ?? "").toUpperCase().split(/[\s,]+/).filter(Boolean);
        const bad = list.filter((s) => !isScenarioName(s));
        if (bad.length || !list.length) throw new Error(`--scenarios takes letters from ${SCENARIO_NAMES.join(",")}, got ${list.join(",")}`);
        o.scenarios = list as ScenarioName[];
        break;
      }
      case "--rounds": o.rounds = positiveInt(flag, value()); break;
      case "--json": o.json = true; break;
      case "--redis": o.redis = value() ?? null; if (!o.redis) throw new Error("--redis needs a URL"); break;
      case "--target": o.target = value() ?? ""; break;
      case "--wait-ms": o.settings.waitMs = positiveInt(flag, value()); break;
      case "--window": o.settings.window = positiveInt(flag, value()); break;
      case "--concurrency": o.settings.concurrency = positiveInt(flag, value()); break;
      case "--durability-replicas": o.settings.durabilityReplicas = positiveInt(flag, value()); break;
      case "--timeout": o.settings.timeoutMs = positiveInt(flag, value()) * 1000; timeoutGiven = true; break;
      case "-h": case "--help": throw new HelpRequested();
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  // A server target pays a round trip per operation: over HTTP, scenario D (600 000 requests)
  // takes about 4 minutes on 2 cores. Its default hard limit is longer; stalls still end a run in 20 s.
  if (!timeoutGiven && o.target !== "engine") o.settings.timeoutMs = SERVER_TARGET_TIMEOUT_MS;
  return o;
}

export class HelpRequested extends Error {}
