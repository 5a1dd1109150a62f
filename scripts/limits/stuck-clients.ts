// The stuck pipelining TCP clients of tcp-stuck.ts, in a process of their own (forked), so that the
// normal client's latencies are measured in a process that does not also push their bytes.
// argv: port, queue, clients, MiB each. Each sends a RECEIVE … WAIT 5000 (so what follows piles
// up in the server), then pairs of a 1 MiB SEND and a RECEIVE that keeps its message reserved
// 600 s, and reads nothing. Each command's bytes are built once: writing them costs this process
// a socket write, not a copy. Says "connected" (IPC) once every socket is open; exits when the
// parent disconnects.
import net from "node:net";
import { MiB, resp } from "./procs.js";

const [port, queue, clients, mbEach] = [Number(process.argv[2]), process.argv[3]!, Number(process.argv[4]), Number(process.argv[5])];
const wait = resp("RECEIVE", queue, "WAIT", "5000", "VISIBILITY", "600000");
const send = resp("SEND", queue, Buffer.alloc(MiB, 0x61));
const receive = resp("RECEIVE", queue, "VISIBILITY", "600000");

const sockets: net.Socket[] = [];
async function stuck(s: net.Socket): Promise<void> {
  const write = async (b: Buffer) => {
    if (s.write(b)) return;
    await new Promise<void>((r) => {
      const done = () => (s.off("drain", done), s.off("close", done), r());
      s.on("drain", done).on("close", done);
    });
  };
  await write(wait);
  for (let i = 0; i < mbEach && !s.destroyed; i++) {
    await write(send);
    await write(receive);
  }
}

await Promise.all(
  Array.from({ length: clients }, async () => {
    const s = net.connect({ port, host: "127.0.0.1" });
    sockets.push(s);
    s.on("error", () => {});
    await new Promise((r) => s.once("connect", r));
    s.pause(); // never reads a reply
  }),
);
process.send?.("connected");
for (const s of sockets) void stuck(s);
process.on("disconnect", () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
});
