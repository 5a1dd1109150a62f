// `pnpm bench`: the original spec's scenarios A–E against tinyqs, measured the way the peers'
// harness measures BullMQ, bee-queue, RSMQ and raw lists, and its request/response scenario R
// (see docs/benchmarks.md).
// This file only orchestrates: get a Redis, run every (round, scenario) in its own child process
// (child.ts), print each result as it comes, then the medians.
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { Redis } from "ioredis";
import { RedisServer } from "@tinyqs/test-support/redis-server";
import { makeTestCerts } from "@tinyqs/test-support/certs";
import type { ChildJob, ChildReply } from "./child.js";
import { compileChild, REPO, type ChildEntry } from "./compile.js";
import { checkCombination, HelpRequested, parseArgs, USAGE, type CliOptions } from "./cli.js";
import { ratioTable, runLine, summaryTable } from "./report.js";
import type { RunResult } from "./run-scenario.js";
import { SCENARIOS, scenarioOf } from "./scenarios.js";
import { loadTarget, TARGET_NAMES } from "./targets/index.js";

// The child finds the engine through TINYQS_CORE (compiled, it no longer sits next to the repo).
process.env.TINYQS_CORE ||= join(REPO, "packages", "core", "dist", "index.js");

let opts: CliOptions;
try {
  opts = parseArgs(process.argv.slice(2));
  checkCombination(opts);
  if (!TARGET_NAMES.includes(opts.target)) throw new Error(`unknown target "${opts.target}" (known: ${TARGET_NAMES.join(", ")})`);
} catch (e) {
  if (e instanceof HelpRequested) { console.log(USAGE); process.exit(0); }
  console.error(`${(e as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

// Human text goes to stdout, unless --json owns stdout.
const say = (s: string) => (opts.json ? process.stderr : process.stdout).write(s + "\n");

let redis: RedisServer | null = null;
const replicas: RedisServer[] = [];
let current: ChildProcess | null = null;
const cleanup = async () => {
  if (current?.pid && current.exitCode === null) current.kill("SIGKILL");
  await Promise.all(replicas.map((r) => r.cleanup()));
  await redis?.cleanup();
};
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => void cleanup().finally(() => process.exit(130)));
}

/** Until the master counts `n` replicas online (INFO replication: connected_slaves). */
async function waitForReplicas(url: string, n: number): Promise<void> {
  if (n === 0) return;
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    for (const deadline = Date.now() + 30_000; ; ) {
      const online = (/connected_slaves:(\d+)/.exec(await r.info("replication"))?.[1] ?? "0");
      if (Number(online) >= n && (await r.call("WAIT", n, 1000)) as number >= n) return;
      if (Date.now() > deadline) throw new Error(`the ${n} replica(s) did not come online within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    r.disconnect();
  }
}

/** Run one job in a fresh child; a crash or hang becomes a failed result instead of stopping the benchmark. */
function runChild(entry: ChildEntry, job: ChildJob): Promise<RunResult> {
  return new Promise((resolve) => {
    const { execArgv, env } = profiling(entry, job);
    const child = fork(entry.file, [JSON.stringify(job)], { execArgv, env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    current = child;
    let reply: ChildReply | null = null;
    // The child enforces the timeout itself and reports; this is the backstop if it cannot.
    const killer = setTimeout(() => child.kill("SIGKILL"), job.settings.timeoutMs + 30_000);
    child.on("message", (m) => (reply = m as ChildReply));
    child.on("exit", (code, signal) => {
      clearTimeout(killer);
      current = null;
      if (reply && "result" in reply) return resolve(reply.result);
      const why = reply && "error" in reply ? reply.error : `child exited (${signal ?? `code ${code}`}) without a result`;
      resolve(failed(job, why));
    });
  });
}

/** --cpu-prof DIR: node's --cpu-prof for the run's own process and (through the variable that
 * targets/server-process.ts reads) for the server process it starts, one named file each. */
function profiling(entry: ChildEntry, job: ChildJob): { execArgv: string[]; env: NodeJS.ProcessEnv } {
  if (!opts.cpuProf) return { execArgv: entry.execArgv, env: process.env };
  const dir = resolvePath(opts.cpuProf);
  mkdirSync(dir, { recursive: true });
  const name = (side: string) => `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-name=${job.target}-${job.scenario}-r${job.round}-${side}.cpuprofile`;
  return {
    execArgv: [...entry.execArgv, ...name("client").split(" ")],
    env: { ...process.env, TINYQS_BENCH_SERVER_NODE_ARGS: `${process.env.TINYQS_BENCH_SERVER_NODE_ARGS ?? ""} ${name("server")}`.trim() },
  };
}

function failed(job: ChildJob, error: string): RunResult {
  const { n, size } = scenarioOf(job.scenario, job.settings);
  return {
    peer: `tinyqs-${job.target}`, target: job.target, scenario: job.scenario, round: job.round, n, size,
    ok: false, error, lost: n, dupRecv: 0, dupDel: 0, deleteRefused: 0, totalMs: 0, msgsPerSec: null, phases: {},
    latencyMs: { p50: null, p99: null, p999: null, max: null }, peakRssMB: 0, startRssMB: 0, nodeCpuMs: 0, redisCpuMs: 0,
    nodeCpuUsPerMsg: 0, redisCpuUsPerMsg: 0, busyCores: 0,
    settings: { window: job.settings.window, concurrency: job.settings.concurrency, waitMs: job.settings.waitMs },
    at: new Date().toISOString(),
  };
}

async function redisVersion(url: string): Promise<string> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return /redis_version:(\S+)/.exec(await r.info("server"))?.[1] ?? "?";
  } finally {
    r.disconnect();
  }
}

// --tls: a certificate for this run. The server processes read it from TINYQS_TLS_CERT/KEY, and the
// clients (each run's child, forked after this) trust its CA through NODE_EXTRA_CA_CERTS.
if (opts.tls) {
  const certs = makeTestCerts();
  process.on("exit", () => certs.cleanup());
  process.env.TINYQS_TLS_CERT = certs.server.cert;
  process.env.TINYQS_TLS_KEY = certs.server.key;
  process.env.NODE_EXTRA_CA_CERTS = certs.ca;
  process.env.TINYQS_BENCH_TLS = "1";
}

try {
  if (opts.redis) {
    say(`using ${opts.redis} (FLUSHDB before every scenario)`);
  } else {
    redis = await RedisServer.start();
    say(`private redis-server pid ${redis.pid} on ${redis.url} (--save '' --appendonly no)`);
    for (let i = 0; i < opts.settings.durabilityReplicas; i++) {
      replicas.push(await RedisServer.start({ extraArgs: ["--replicaof", "127.0.0.1", String(redis.port)] }));
    }
    await waitForReplicas(redis.url, replicas.length);
    if (replicas.length) say(`${replicas.length} replica(s) of it (--replicaof): ${replicas.map((r) => r.url).join(", ")}; durability.replicas ${replicas.length}`);
  }
  const url = opts.redis ?? redis!.url;
  const s = opts.settings;
  const withR = opts.scenarios.some((name) => SCENARIOS[name].mode === "request");
  say(`tinyqs benchmark, target ${opts.target}${opts.tls ? " over TLS" : ""}: scenarios ${opts.scenarios.join(",")}, ${opts.rounds} round(s); ` +
    (s.rate ? `open loop at ${s.rate} msgs/s, ` : "") +
    (s.messages ? `${s.messages} messages per run, ` : "") +
    (s.sendBatch ? `+batch: sendBatch of ${s.sendBatch}, receiveBatch of up to ${s.recvBatch} + one deleteBatch per receive, ` : "") +
    `${s.window} sends in flight, ${s.concurrency} receive→delete loops${withR ? " (R: requests in flight, take→respond loops)" : ""}, receive waitMs ${s.waitMs}; ` +
    `Node ${process.version}, Redis ${await redisVersion(url)}, ${new Date().toISOString()}`);

  const entry = compileChild();
  say(`engine ${process.env.TINYQS_CORE}; ${entry.note}`);
  // A front end (http, ws, …) is measured beside the embedded engine, in the same run and rounds:
  // each scenario runs on the engine, then on the front end, so the two tables below compare.
  const targets = opts.target === "engine" ? ["engine"] : ["engine", opts.target];
  // Combinations a target cannot run (R on a target without request/response) are skipped, said once.
  const skip = new Map<string, string>();
  for (const target of targets) {
    const why = (await loadTarget(target)).noRequests;
    for (const scenario of opts.scenarios) {
      if (why && SCENARIOS[scenario].mode === "request") skip.set(`scenario ${scenario} on target ${target}`, why);
    }
  }
  for (const [combination, why] of skip) say(`skipping ${combination}: ${why}`);
  const results: RunResult[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    for (const scenario of opts.scenarios) {
      for (const target of targets) {
        if (skip.has(`scenario ${scenario} on target ${target}`)) continue;
        const r = await runChild(entry, { target, scenario, round, redisUrl: url, settings: s, progress: true });
        results.push(r);
        if (opts.json) process.stdout.write(JSON.stringify(r) + "\n");
        say(targets.length > 1 ? `${target.padEnd(6)} ${runLine(r)}` : runLine(r));
      }
    }
  }
  for (const target of targets) {
    const ran = results.filter((r) => r.target === target);
    if (!ran.length) continue; // every scenario was skipped on it (said below)
    say(`\nmedians over ${opts.rounds} round(s), target ${target}:\n`);
    say(summaryTable(ran, opts.scenarios));
  }
  if (opts.target !== "engine") {
    say(`\n${opts.target} against the engine, same run${s.sendBatch ? " (both +batch)" : ""}:\n`);
    say(ratioTable(results, opts.scenarios, opts.target));
  }
  for (const [combination, why] of skip) say(`skipped ${combination}: ${why}`);
  await cleanup();
  process.exit(results.every((r) => r.ok) ? 0 : 1);
} catch (e) {
  console.error((e as Error).stack ?? e);
  await cleanup();
  process.exit(2);
}
