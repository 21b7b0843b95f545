import { createServer } from 'node:net';
import type { Server } from 'node:net';

function listenOnZero(host: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => resolvePromise(server));
  });
}

/**
 * Finds `count` distinct free TCP ports on `host` by binding port 0 that many times at once,
 * then closing. Another process may still take a port before the server binds it; callers
 * detect that from the server log and retry with new ports.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) servers.push(await listenOnZero(host));
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((done) => server.close(() => done()))),
    );
  }
}
