#!/usr/bin/env node
// The `tinyqs-tcp` command: parse flags and environment, start the server, print one line, and on
// SIGTERM / SIGINT shut down in order (server.close(): stop accepting, waiting receives answer nil,
// in-flight commands are answered, the engine closes) and exit 0. A second signal exits at once.
import { parseCli, USAGE } from "./options.js";
import { createTcpServer } from "./server.js";
import { VERSION } from "./defaults.js";

async function main(): Promise<number> {
  let request;
  try {
    request = parseCli(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`tinyqs-tcp: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (request.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (request.kind === "version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const { config } = request;
  let server;
  try {
    server = createTcpServer(config.server);
  } catch (e) {
    process.stderr.write(`tinyqs-tcp: ${(e as Error).message}\n`);
    return 2;
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
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`tinyqs-tcp: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      server.close().then(
        () => resolve(0),
        (e: unknown) => {
          process.stderr.write(`tinyqs-tcp: error while closing: ${(e as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  const auth = config.server.password ? ", password required" : "";
  process.stdout.write(`tinyqs-tcp ${VERSION} listening on ${where.host}:${where.port} (RESP2), Redis ${config.redisLabel}${auth}\n`);
  return stopped;
}

const code = await main();
// After close() nothing of ours is left open; exit explicitly so a stray handle cannot keep a
// stopped server's process alive.
process.exit(code);
