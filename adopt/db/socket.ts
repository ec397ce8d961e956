// Sockets with Nagle's algorithm off. postgres.js sends COPY's data and its CopyDone as two writes; with Nagle on,
// the small CopyDone waits for the server to acknowledge the data, which it delays (~40 ms), so every batch paid
// ~90 ms for two COPYs doing nothing. postgres.js takes an already connected socket from this factory (and still
// negotiates TLS over it when the URL asks for it).
import net from "node:net";

interface SocketOptions {
  host: string[];
  port: number[];
  path?: string | false;
}

export function noDelaySocket(options: SocketOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = options.path ? net.connect(options.path) : net.connect(options.port[0], options.host[0]);
    socket.setNoDelay(true);
    // The factory replaces postgres.js's own connect, so it also keeps its own connect timeout.
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error("connect timed out"), { code: "CONNECT_TIMEOUT" }));
    }, 10_000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", fail);
      resolve(socket);
    });
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once("error", fail);
  });
}

/** The option to spread into postgres()'s options (the library's types do not declare `socket`). */
export const noDelay: object = { socket: noDelaySocket };
