#!/usr/bin/env node
// The `tinyqs-tcp` command: read flags and environment (options.ts), start the server, print one
// line, and on SIGTERM / SIGINT shut down in order (server.close(): stop accepting, waiting receives
// answer nil, in-flight commands are answered, the engine closes) and exit 0. A second signal
// exits at once.
import { closeOnStopSignals, onReloadSignal, readCommandLine, redisRefusal, warnOnStderr } from "@tinyqs/core/cli";
import { CLI, parseCli } from "./options.js";
import { createTcpServer } from "./server.js";
import { VERSION } from "./defaults.js";

async function main(): Promise<number> {
  if (process.argv[2] === "hash-password") {
    const { hashPasswordCommand } = await import("@tinyqs/core/security");
    return hashPasswordCommand(CLI.name);
  }
  const read = readCommandLine(CLI, () => parseCli(process.argv.slice(2), process.env, warnOnStderr(CLI.name)));
  if ("exitCode" in read) return read.exitCode;
  const { config } = read;
  let server;
  try {
    server = createTcpServer(config.server);
  } catch (e) {
    process.stderr.write(`tinyqs-tcp: ${(e as Error).message}\n`);
    return 2;
  }
  // A Redis that would lose messages (an evicting maxmemory-policy) stops the start, saying why.
  const refusal = await redisRefusal(server.engine);
  if (refusal) {
    process.stderr.write(`tinyqs-tcp: ${refusal}\n`);
    await server.close();
    return 1;
  }
  let where;
  try {
    where = await server.listen(config.port, config.host);
  } catch (e) {
    process.stderr.write(`tinyqs-tcp: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}\n`);
    await server.close();
    return 1;
  }
  // Signal handlers go in before the "listening" line: whoever reads that line may signal at once.
  const stopped = closeOnStopSignals({ name: CLI.name, againExitCode: 1 }, () => server.close());
  onReloadSignal(CLI.name, () => server.reload());
  const { password, usersFile, tls } = config.server;
  const auth = [password ? ", password required" : "", usersFile ? `, users from ${usersFile}` : ""].join("");
  const secure = tls ? `TLS${tls.clientAuth ? `, client certificates ${tls.clientAuth === "require" ? "required" : "checked"}` : ""}; ` : "";
  process.stdout.write(`tinyqs-tcp ${VERSION} listening on ${where.host}:${where.port} (${secure}RESP2; RESP3 after HELLO 3), Redis ${config.redisLabel}${auth}\n`);
  return stopped;
}

const code = await main();
// After close() nothing of ours is left open; exit explicitly so a stray handle cannot keep a
// stopped server's process alive.
process.exit(code);
