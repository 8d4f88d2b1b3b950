import net from 'node:net';

export interface Balancer {
  url: string;
  port: number;
  /** Connections handed to each target so far, by target URL. */
  readonly connections: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A round-robin TCP load balancer on 127.0.0.1 and an ephemeral port, as a Kubernetes Service
 * (kube-proxy) is: each new connection goes to the next target; a target that refuses the
 * connection is skipped for the next one, so a killed replica costs no request that had not
 * reached it. A connection to a target that dies mid-way is cut, as it would be in production.
 */
export async function startBalancer(targets: string[], options: { port?: number } = {}): Promise<Balancer> {
  const addresses = targets.map((target) => new URL(target));
  const connections = new Map(targets.map((target) => [target, 0]));
  const sockets = new Set<net.Socket>();
  let next = 0;

  const server = net.createServer(function balance(client) {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const start = next++;
    const tryTarget = (attempt: number): void => {
      if (attempt >= addresses.length || client.destroyed) return void client.destroy();
      const target = addresses[(start + attempt) % addresses.length]!;
      const upstream = net.connect(Number(target.port), target.hostname);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      const refused = (): void => {
        upstream.destroy();
        tryTarget(attempt + 1);
      };
      upstream.once('error', refused);
      upstream.once('connect', () => {
        upstream.off('error', refused);
        connections.set(target.origin, (connections.get(target.origin) ?? 0) + 1);
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryTarget(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
