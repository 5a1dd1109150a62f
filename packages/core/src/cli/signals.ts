// Stopping an entry point on SIGTERM / SIGINT (and whatever else it lists): the first signal asks
// for a graceful stop, a second one exits at once, so that an operator whose stop hangs is never
// stuck. Installed before a command prints that it is listening: whoever reads that line may
// signal at once.

export interface StopSignalOptions {
  /** The command's name, first word of what it says. */
  name: string;
  /** Default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /** Say "<name>: SIGTERM, shutting down" on stdout at the first signal. */
  announce?: boolean;
  /** The exit code of a second signal (default 130, as a shell reports a command stopped by Ctrl-C). */
  againExitCode?: number;
}

/** The first stop signal calls `stop`; any later one says so on stderr and exits at once. */
export function onStopSignals(options: StopSignalOptions, stop: (signal: NodeJS.Signals) => void): void {
  let stopping = false;
  for (const signal of options.signals ?? (["SIGTERM", "SIGINT"] as const)) {
    process.on(signal, () => {
      if (stopping) {
        process.stderr.write(`${options.name}: ${signal} again, exiting now\n`);
        process.exit(options.againExitCode ?? 130);
      }
      stopping = true;
      if (options.announce) process.stdout.write(`${options.name}: ${signal}, shutting down\n`);
      stop(signal);
    });
  }
}

/**
 * For a server: at the first stop signal, `close()` it. Resolves with the exit code once closed:
 * 0, or 1 if closing failed (said on stderr).
 */
export function closeOnStopSignals(options: StopSignalOptions, close: () => Promise<unknown>): Promise<number> {
  return new Promise<number>((resolve) => {
    onStopSignals(options, () => {
      close().then(
        () => resolve(0),
        (e: unknown) => {
          process.stderr.write(`${options.name}: error while closing: ${(e as Error)?.message ?? String(e)}\n`);
          resolve(1);
        },
      );
    });
  });
}

/**
 * SIGHUP re-reads what a server reads from files (TLS certificates, the users file): `reload` does
 * it and returns what it re-read, said on stdout; a failure is said on stderr and the server goes on
 * with what it had. Nothing else changes and no connection is dropped.
 */
export function onReloadSignal(name: string, reload: () => string[]): void {
  process.on("SIGHUP", () => {
    try {
      const what = reload();
      process.stdout.write(`${name}: SIGHUP, ${what.length > 0 ? `reloaded ${what.join(" and ")}` : "nothing to reload (no --tls-cert, no --users)"}\n`);
    } catch (e) {
      process.stderr.write(`${name}: SIGHUP, reload failed, keeping what was in force: ${(e as Error).message}\n`);
    }
  });
}
