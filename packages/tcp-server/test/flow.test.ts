// The pieces of a connection's flow control on real loopback sockets: reading at most a chunk's
// worth per turn of the event loop (read-flow.ts), the replies of one flush written without
// copying large ones (reply-output.ts), and commands left waiting holding their own bytes (slot.ts).
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ByteBudget } from "@tinyqs/core";
import { eventually } from "@tinyqs/test-support";
import { READ_BYTES_PER_TURN } from "../src/defaults.js";
import { ReadFlow } from "../src/read-flow.js";
import { ReplyOutput } from "../src/reply-output.js";
import { commandSlot, ownBytes } from "../src/slot.js";

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** Both ends of a loopback TCP connection. */
async function socketPair(): Promise<{ server: net.Socket; client: net.Socket; close: () => void }> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const accepted = new Promise<net.Socket>((r) => listener.once("connection", r));
  const client = net.connect((listener.address() as net.AddressInfo).port, "127.0.0.1");
  const server = await accepted;
  await new Promise((r) => (client.readyState === "open" ? r(null) : client.once("connect", r)));
  return {
    server,
    client,
    close: () => {
      server.destroy();
      client.destroy();
      listener.close();
    },
  };
}

let close = () => {};
afterEach(() => close());

describe("ReadFlow", () => {
  it("reads at most READ_BYTES_PER_TURN per turn of the event loop, then again in the next", async () => {
    const pair = await socketPair();
    close = pair.close;
    const budget = new ByteBudget(1 << 30);
    const flow = new ReadFlow(pair.server, budget, { held: 0 }, 1 << 20, () => {});
    flow.read(READ_BYTES_PER_TURN - 1);
    expect(pair.server.isPaused()).toBe(false);
    flow.read(1);
    expect(pair.server.isPaused()).toBe(true);
    await nextTurn();
    expect(pair.server.isPaused()).toBe(false);
    // A new turn starts with a new allowance.
    flow.read(READ_BYTES_PER_TURN - 1);
    expect(pair.server.isPaused()).toBe(false);
  });

  it("a bound that holds reading still holds it once the turn is over", async () => {
    const pair = await socketPair();
    close = pair.close;
    const budget = new ByteBudget(1 << 20);
    const holder = { held: 0 };
    budget.set(holder, 1 << 20); // the budget full, this connection holding it
    const flow = new ReadFlow(pair.server, budget, holder, 1 << 20, () => {});
    flow.read(READ_BYTES_PER_TURN);
    flow.update({ commands: 1, commandBytes: 0 });
    expect(pair.server.isPaused()).toBe(true);
    await nextTurn();
    expect(pair.server.isPaused()).toBe(true);
    budget.set(holder, 0);
    flow.update({ commands: 0, commandBytes: 0 });
    expect(pair.server.isPaused()).toBe(false);
    flow.stop();
  });
});

describe("ReplyOutput", () => {
  it("writes the replies of a flush in order (a large one among small ones), and counts them until the system took them", async () => {
    const pair = await socketPair();
    close = pair.close;
    const output = new ReplyOutput(pair.server, () => {});
    const large = Buffer.alloc(200_000, 0x61);
    const replies = [Buffer.from("+OK\r\n"), Buffer.from(`$${large.length}\r\n`), large, Buffer.from("\r\n:1\r\n")];
    const expected = Buffer.concat(replies);
    const got: Buffer[] = [];
    let n = 0;
    const all = new Promise<void>((r) =>
      pair.client.on("data", (d: Buffer) => {
        got.push(d);
        if ((n += d.length) >= expected.length) r();
      }),
    );
    output.write(replies, []);
    expect(output.unsent).toBe(expected.length);
    await all;
    expect(Buffer.concat(got).equals(expected)).toBe(true);
    await eventually(() => output.unsent === 0); // once the write callbacks ran
  });
});

describe("ownBytes", () => {
  it("copies an argument that views a much larger buffer, and leaves one that is (nearly) its buffer", () => {
    const chunk = Buffer.alloc(65_536, 0x62);
    chunk.write("RECEIVE", 100);
    const big = Buffer.alloc(300_002, 0x63).subarray(0, 300_000);
    const args = [chunk.subarray(100, 107), big];
    const slot = commandSlot(args, 7 + big.length);
    ownBytes(slot);
    expect(slot.args![0]!.toString()).toBe("RECEIVE");
    expect(slot.args![0]!.buffer).not.toBe(chunk.buffer);
    expect(slot.args![1]).toBe(big);
    expect(slot.bytes).toBe(7 + big.length);
  });
});
