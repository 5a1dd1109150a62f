// Command-line flags of `pnpm bench`. Kept apart from main.ts so the flags are documented in one place.
import { BATCH_SETTINGS, DEFAULT_SETTINGS, isScenarioName, SCENARIO_NAMES, type ScenarioName, type Settings } from "./scenarios.js";

export interface CliOptions {
  scenarios: ScenarioName[];
  rounds: number;
  json: boolean;
  /** Use this Redis instead of starting a private one (it is FLUSHed before every scenario!). */
  redis: string | null;
  target: string;
  /** Serve the server targets over TLS (tinyqs-tcp/-http with --tls-cert/--tls-key; clients trust a throwaway CA). */
  tls: boolean;
  /** Write a V8 CPU profile of every run's client and server processes into this folder. */
  cpuProf: string | null;
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
  --tls               a server target (tcp, http, ws) serves TLS, with a certificate made for the run
                      (openssl; its CA reaches the clients as NODE_EXTRA_CA_CERTS)
  --wait-ms MS        long-poll length of each receive and take (default ${DEFAULT_SETTINGS.waitMs})
  --window N          sends in flight; in R, requests in flight (default ${DEFAULT_SETTINGS.window})
  --concurrency N     receive->delete loops; in R, take->respond loops (default ${DEFAULT_SETTINGS.concurrency})
  --batch             the peers' +batch mode: send in batches of ${BATCH_SETTINGS.sendBatch}, receive up to ${BATCH_SETTINGS.recvBatch} per
                      call, delete what one call received in one call (runs are named <target>+batch)
  --rate R            open loop: send R msgs/s on a clock, whatever the consumer does, and report the
                      send->receive latency (p50 / p99 / p99.9) at that load; with --messages, e.g.
                      --scenarios C --rate 1000 --messages 10000 (10 s)
  --messages N        N messages per run instead of the scenario's own count
  --backlog N         queue N ready messages before each run (untimed) and report Redis memory per
                      queued message (body excluded) beside a plain list's and a stream's
  --in-flight N       receive N messages before each run and hold them (leases outlast the run)
  --due N             send N messages before each run, delayed to come due at once 300 ms into it
  --idle-queues N     N other queues with one receiver each, long-polling all run long (engine)
  --durability-replicas N  the engine waits for N replicas per write (durability.replicas); the private
                      Redis gets N replicas (--replicaof). Engine target only; compare with a run without
  --cpu-prof DIR      write a V8 CPU profile (node --cpu-prof) of each run's benchmark process and of
                      its server process into DIR, named <target>-<scenario>-r<round>-client|server;
                      summarise them with \`node scripts/bench/profile-summary.mjs DIR/*.cpuprofile\`
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
    tls: false,
    cpuProf: null,
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
      case "--batch": Object.assign(o.settings, BATCH_SETTINGS); break;
      case "--rate": o.settings.rate = positiveInt(flag, value()); break;
      case "--messages": o.settings.messages = positiveInt(flag, value()); break;
      case "--backlog": o.settings.backlog = positiveInt(flag, value()); break;
      case "--in-flight": o.settings.inFlight = positiveInt(flag, value()); break;
      case "--due": o.settings.due = positiveInt(flag, value()); break;
      case "--idle-queues": o.settings.idleQueues = positiveInt(flag, value()); break;
      case "--redis": o.redis = value() ?? null; if (!o.redis) throw new Error("--redis needs a URL"); break;
      case "--target": o.target = value() ?? ""; break;
      case "--tls": o.tls = true; break;
      case "--cpu-prof": o.cpuProf = value() ?? null; if (!o.cpuProf) throw new Error("--cpu-prof needs a folder"); break;
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

/** Flags that cannot go together: said before anything runs. */
export function checkCombination(o: CliOptions): void {
  if (o.settings.rate && o.settings.sendBatch) throw new Error("--rate paces single sends: it does not go with --batch");
  const g = o.settings;
  if ((g.backlog || g.inFlight || g.due || g.idleQueues) && o.scenarios.some((s) => s === "R")) {
    throw new Error("--backlog, --in-flight, --due and --idle-queues are for A-E: scenario R (request/response) does not take them");
  }
  // Due messages join the ready list's tail: behind a backlog they would not be received in the run.
  if (g.due && g.backlog) throw new Error("--due does not go with --backlog");
}
