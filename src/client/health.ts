import { once } from 'node:events';
import http from 'node:http';

export interface HealthReport {
  ok: boolean;
  [part: string]: unknown;
}

/**
 * GET /healthz on `address` (host:port): 200 with the report when `check` says ok, 503 otherwise. For a container
 * orchestrator's liveness probe and the image's HEALTHCHECK; nothing else is served.
 */
export async function startHealthServer(
  address: string,
  check: () => Promise<HealthReport>,
): Promise<http.Server> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at) || '0.0.0.0';
  const port = Number(address.slice(at + 1));
  const server = http.createServer(async (request, response) => {
    if (request.method !== 'GET' || request.url !== '/healthz') {
      response.writeHead(404).end();
      return;
    }
    const report = await check().catch((error: unknown) => ({ ok: false, error: String(error) }));
    response
      .writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' })
      .end(`${JSON.stringify(report)}\n`);
  });
  server.listen(port, host);
  await once(server, 'listening');
  return server;
}
