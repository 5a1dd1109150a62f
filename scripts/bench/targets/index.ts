// Target registry: `--target <name>` picks one. Targets load lazily, so a target whose package is not
// built yet does not break the others. To add one (tcp, http, ws): write targets/<name>.ts with a
// default export implementing Target, and add one line here.
import type { Target } from "./types.js";

const TARGETS: Record<string, () => Promise<{ default: Target }>> = {
  engine: () => import("./engine.js"),
  tcp: () => import("./tcp.js"),
  http: () => import("./http.js"),
  ws: () => import("./ws.js"),
  sqs: () => import("./sqs.js"),
};

export const TARGET_NAMES = Object.keys(TARGETS);

export async function loadTarget(name: string): Promise<Target> {
  const load = TARGETS[name];
  if (!load) throw new Error(`unknown target "${name}" (known: ${TARGET_NAMES.join(", ")})`);
  return (await load()).default;
}
