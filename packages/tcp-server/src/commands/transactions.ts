// The handlers of MULTI, EXEC, DISCARD, WATCH and UNWATCH. The transaction itself (what is queued,
// how EXEC runs it, what it guarantees) is the connection's: ../transaction.ts. Their rows are in
// table.ts.
import { OK } from "../resp/encoder.js";
import type { Handler } from "./types.js";

export const TRANSACTIONS = {
  MULTI: (_args, client) => client.transaction.multi(),
  EXEC: (_args, client, server) => client.transaction.exec(client, server),
  DISCARD: (_args, client) => client.transaction.discard(),
  // Nothing can be watched (WATCH is refused), so forgetting every watched key is always true.
  UNWATCH: () => OK,
  WATCH: (_args, client) => client.transaction.watch(),
} satisfies Record<string, Handler>;
