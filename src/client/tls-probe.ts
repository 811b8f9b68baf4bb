import tls from 'node:tls';
import type { TLSConfig } from '@temporalio/client';

/**
 * Why a TLS connection to `address` is refused, if it is: the gRPC clients report only "failed to connect before
 * the deadline", so after such a failure ferry shakes hands itself with the same CA, name and client pair and
 * reports what the handshake said (an unknown CA, a certificate the server refused). Undefined when the handshake
 * succeeds and the server keeps the connection (the failure lies elsewhere).
 */
export function probeTls(
  address: string,
  config: TLSConfig | true,
  waitMs = 3_000,
): Promise<string | undefined> {
  const [host = 'localhost', port = '443'] = splitAddress(address);
  const options = config === true ? {} : config;
  return new Promise((resolve) => {
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const socket = tls.connect({
      host,
      port: Number(port),
      servername: options.serverNameOverride ?? host,
      ALPNProtocols: ['h2'],
      ...(options.serverRootCACertificate ? { ca: Buffer.from(options.serverRootCACertificate) } : {}),
      ...(options.clientCertPair
        ? { cert: Buffer.from(options.clientCertPair.crt), key: Buffer.from(options.clientCertPair.key) }
        : {}),
    });
    // With TLS 1.3 the client's certificate is judged after the client's side of the handshake ends: a server that
    // refuses it closes the connection at once (with an alert, or without a word).
    let secured = false;
    socket.on('secureConnect', () => {
      secured = true;
      setTimeout(() => done(undefined), 500);
    });
    // A server that is not there (refused, unresolved, unreachable) is no TLS refusal: the caller may wait for it.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      done(!secured && error.code && NOT_THERE.has(error.code) ? undefined : error.message),
    );
    socket.on('close', () =>
      done(
        secured
          ? 'the server closed the connection right after the TLS handshake: it did not accept the client certificate (or wanted one)'
          : undefined,
      ),
    );
    const timer = setTimeout(() => done(undefined), waitMs);
  });
}

const NOT_THERE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  return at < 0 ? [address, '443'] : [address.slice(0, at).replace(/^\[|\]$/g, ''), address.slice(at + 1)];
}
