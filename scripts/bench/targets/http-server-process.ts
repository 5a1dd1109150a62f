// The http and ws targets' server: @tinyqs/http-server's bin in a process of its own.
import { createRequire } from "node:module";
import { join } from "node:path";
import { packageDir, startServerProcess } from "./server-process.js";

/** Require a dependency of @tinyqs/http-server (pnpm does not hoist it to the root). */
export const requireFromHttpServer = createRequire(join(packageDir("http-server"), "package.json"));

export async function startHttpServer(redisUrl: string, label: string): Promise<{ url: string; stop(): Promise<void> }> {
  const server = await startServerProcess({
    name: "http-server", label, redisUrl, listening: /listening on (https?:\/\/\S+)/, env: { TINYQS_TOKEN: "" },
  });
  return { url: server.listening[1]!, stop: () => server.stop() };
}
