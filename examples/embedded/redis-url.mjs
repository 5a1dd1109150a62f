// Which Redis the embedded examples use: TINYQS_REDIS_URL when set; otherwise the Redis of the
// `pnpm start` running from this repository, so that the engine in this process works on the same
// queues as its TCP and HTTP servers. `pnpm start` runs its redis-server on a free port and writes
// that port into tinyqs.lock in its data directory (TINYQS_DATA_DIR, else .tinyqs-data, relative
// to the repository root, where `pnpm start` runs).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

export function redisUrl() {
  if (process.env.TINYQS_REDIS_URL) return process.env.TINYQS_REDIS_URL;
  const lockFile = path.join(path.resolve(root, process.env.TINYQS_DATA_DIR || ".tinyqs-data"), "tinyqs.lock");
  try {
    const lock = JSON.parse(readFileSync(lockFile, "utf8"));
    if (Number.isInteger(lock.redisPort) && alive(lock.pid)) return `redis://127.0.0.1:${lock.redisPort}`;
  } catch {
    // no lock file: no `pnpm start` on that directory
  }
  console.error(
    "No Redis to use: start tinyqs first (`pnpm start` at the repository root; this example then uses its Redis),\n" +
      "or name one: TINYQS_REDIS_URL=redis://127.0.0.1:6379",
  );
  process.exit(1);
}
