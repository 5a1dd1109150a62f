// WebSocket frames written in the same tick (replies to a burst of requests, a batch of pushed
// messages, a client's window of requests) leave in one write instead of one system call each: the
// TCP socket under a `ws` WebSocket is corked until the next tick. On loopback and on busy hosts a
// write costs about as much as the frame's JSON, so this halves the cost of small frames. `ws` keeps
// that socket in a private field (`_socket`); without one, nothing is corked. Used by the server's
// sessions and the client's connection.
interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new WeakSet<Corkable>();

/** Cork the socket under `webSocket` until the next tick (once per tick, however often it is called). */
export function corkForTick(webSocket: object): void {
  const tcp = (webSocket as { _socket?: Corkable })._socket;
  if (!tcp || corked.has(tcp)) return;
  corked.add(tcp);
  tcp.cork();
  process.nextTick(() => {
    corked.delete(tcp);
    tcp.uncork();
  });
}
