import { readFile } from 'node:fs/promises';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from './certificates.js';

export interface TlsProxy {
  address: string;
  /** The authorization metadata of every call that came through (an API key arrives as `Bearer <key>`). */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/**
 * A gRPC proxy that terminates TLS and requires a client certificate the test CA signed, in front of a plain
 * Temporal dev server: what a secured cluster looks like to a client. It forwards each call over HTTP/2 as it
 * came, and notes the metadata a key travels in.
 */
export async function startTlsProxy(
  upstream: string,
  certificates: TestCertificates,
  port = 0,
): Promise<TlsProxy> {
  const authorizations: (string | undefined)[] = [];
  const session = http2.connect(`http://${upstream}`);
  session.on('error', () => undefined);
  const server = http2.createSecureServer({
    key: await readFile(certificates.serverKey),
    cert: await readFile(certificates.serverCert),
    ca: await readFile(certificates.ca),
    requestCert: true,
    rejectUnauthorized: true,
  });
  const openSessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (opened) => {
    openSessions.add(opened);
    opened.on('close', () => openSessions.delete(opened));
  });
  server.on('stream', (stream, headers) => {
    authorizations.push(headers.authorization as string | undefined);
    const forwarded: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name !== ':scheme' && name !== ':authority') forwarded[name] = value;
    }
    const call = session.request(forwarded);
    let trailers: http2.IncomingHttpHeaders = {};
    call.on('trailers', (received) => {
      trailers = received;
    });
    call.on('response', (response) => {
      // The caller gave up meanwhile (a long poll cancelled at shutdown): nothing to answer.
      if (stream.destroyed || stream.closed) return;
      // A trailers-only answer (an error) carries its status in the headers and ends there.
      if ('grpc-status' in response) {
        stream.respond(response, { endStream: true });
        return;
      }
      stream.respond(response, { waitForTrailers: true });
      stream.on('wantTrailers', () => {
        if (!stream.destroyed) stream.sendTrailers(trailers);
      });
      call.pipe(stream);
    });
    stream.pipe(call);
    call.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('error', () => call.close(http2.constants.NGHTTP2_CANCEL));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    address: `localhost:${(server.address() as AddressInfo).port}`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        session.close();
        server.close(() => resolve());
        // Open client sessions would keep the server from closing.
        for (const connection of openSessions) connection.destroy();
      }),
  };
}
