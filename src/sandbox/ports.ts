import { createServer } from 'node:net';
import { FerryError } from '../errors.js';

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** 0 means "any free port". */
export async function portOrFree(port: number): Promise<number> {
  return port === 0 ? freePort() : port;
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Fails before anything starts when a requested port is taken, naming the flag that changes it. */
export async function assertPortsFree(ports: { port: number; flag: string }[]): Promise<void> {
  for (const { port, flag } of ports) {
    if (port !== 0 && !(await isFree(port))) {
      throw new FerryError(
        `Port ${port} is already in use (another \`ferry dev\` or Temporal?); choose another with ${flag} <port>, or 0 for any free port`,
      );
    }
  }
}
