// Runs exactly one scenario in a fresh Node process, as the peers' run-all.sh does (one `node
// bench.mjs` per run): no JIT warm-up or heap left over from the previous scenario, a clean RSS
// figure, and a hung run can be killed without taking the benchmark down. main.ts forks this file
// and gets the result back over the IPC channel; progress goes to the inherited stderr.
// Started by hand (no IPC channel), it prints the result as a JSON line instead, which is handy for
// profiling one run:  node --cpu-prof node_modules/.cache/tinyqs-bench/scripts/bench/child.js '<job json>'
// (main.ts compiles that file; the job is a ChildJob, and TINYQS_CORE must be set).
import { runRequestScenario } from "./run-request-scenario.js";
import { runScenario, type RunResult } from "./run-scenario.js";
import { SCENARIOS, type ScenarioName, type Settings } from "./scenarios.js";
import { loadTarget } from "./targets/index.js";

export interface ChildJob {
  target: string;
  scenario: ScenarioName;
  round: number;
  redisUrl: string;
  settings: Settings;
  progress: boolean;
}

export type ChildReply = { result: RunResult } | { error: string };

function reply(msg: ChildReply, code: number): void {
  if (!process.send) {
    process.stdout.write(JSON.stringify(msg) + "\n", () => process.exit(code));
    return;
  }
  // exit only once the message is out; the engine may still hold sockets open
  process.send(msg, () => process.exit(code));
}

const job = JSON.parse(process.argv[2] ?? "{}") as ChildJob;
try {
  const target = await loadTarget(job.target);
  const run = SCENARIOS[job.scenario].mode === "request" ? runRequestScenario : runScenario;
  const result = await run(target, job.scenario, job);
  reply({ result }, result.ok ? 0 : 1);
} catch (e) {
  reply({ error: (e as Error).stack ?? String(e) }, 2);
}
