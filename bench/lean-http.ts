import { connect, type Socket } from 'node:net';

/**
 * A keep-alive HTTP/1.1 client for load generation that costs the machine little: each request
 * goes out as one prepared write, and an answer is read only as far as its status line and
 * length. node:http's client spent about 0.2 ms of CPU per request on the 2-core machine — as
 * much as the server it measured — so a generator on the same box took the CPU it was meant to
 * measure. One request per connection at a time (no pipelining), as probes send them.
 */
export interface LeanClient {
  /** Resolves with the status (0 on a connection error). */
  request(head: string, body: string): Promise<number>;
  close(): void;
}

interface Conn {
  socket: Socket;
  buf: Buffer;
  done: ((status: number) => void) | undefined;
  dead: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** The request line and headers of a JSON POST, up to the length the client adds. */
export function postHead(url: string, path: string, headers: Record<string, string>): string {
  const u = new URL(url);
  let head = `POST ${path} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/json\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  return head;
}

export function createLeanClient(url: string, maxSockets: number): LeanClient {
  const { hostname: host, port } = new URL(url);
  const idle: Conn[] = [];
  const waiting: Array<(c: Conn) => void> = [];
  let open = 0;
  let closed = false;

  const newConn = (): Conn => {
    open++;
    const socket = connect({ host, port: Number(port), noDelay: true });
    const conn: Conn = { socket, buf: Buffer.alloc(0), done: undefined, dead: false };
    socket.on('data', (d: Buffer) => onData(conn, d));
    socket.on('error', () => undefined);
    socket.on('close', () => retire(conn));
    return conn;
  };

  const release = (c: Conn) => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };

  // A connection ends: an answer in flight fails (status 0) and a waiting request gets a new one.
  const retire = (c: Conn) => {
    if (c.dead) return;
    c.dead = true;
    open--;
    c.socket.destroy();
    const i = idle.indexOf(c);
    if (i >= 0) idle.splice(i, 1);
    const done = c.done;
    c.done = undefined;
    done?.(0);
    const next = waiting.shift();
    if (next && !closed) next(newConn());
  };

  const onData = (c: Conn, chunk: Buffer) => {
    c.buf = c.buf.length === 0 ? chunk : Buffer.concat([c.buf, chunk]);
    for (;;) {
      const end = c.buf.indexOf(HEAD_END);
      if (end < 0) return;
      const head = c.buf.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      let total: number;
      if (m) total = end + 4 + Number(m[1]);
      else {
        // chunked: the answer ends with the last chunk
        const last = c.buf.indexOf('\r\n0\r\n\r\n', end);
        if (last < 0) return;
        total = last + 7;
      }
      if (c.buf.length < total) return;
      c.buf = c.buf.subarray(total);
      const done = c.done;
      c.done = undefined;
      done?.(status);
      // The server ends the connection after this answer (nginx does every keepalive_requests).
      if (/\r\nconnection:\s*close/i.test(head)) retire(c);
      else release(c);
    }
  };

  const acquire = (): Promise<Conn> | Conn => {
    const c = idle.pop();
    if (c) return c;
    if (open < maxSockets) return newConn();
    return new Promise((resolve) => waiting.push(resolve));
  };

  return {
    async request(head, body) {
      if (closed) return 0;
      const c = await acquire();
      return new Promise<number>((resolve) => {
        c.done = resolve;
        c.socket.write(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
    },
    close() {
      closed = true;
      for (const c of [...idle]) retire(c);
    },
  };
}
