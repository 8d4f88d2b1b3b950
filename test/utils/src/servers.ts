import http from 'node:http';
import net from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  /** Requests seen, in order, as `METHOD /path`. */
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 and an ephemeral port, answering with `handler`. */
export async function startStaticServer(handler: http.RequestListener): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  return listen(server, requests);
}

/** A TCP server that accepts every connection and never sends a byte. */
export async function startSilentServer(): Promise<TestServer> {
  const server = net.createServer(() => {});
  return listen(server, []);
}

/** A port that was free a moment ago, for a service that must come back on the same port. */
export async function freePort(): Promise<number> {
  const probe = await startSilentServer();
  await probe.close();
  return probe.port;
}

// --- internal ---

async function listen(server: net.Server, requests: string[]): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
