import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * WooCommerce's REST authentication (WC_REST_Authentication) as a store applies it:
 * - over https (`ssl`), consumer_key/consumer_secret in the query or Basic auth;
 * - otherwise, and when those give no user, one-legged OAuth 1.0a with parameters from the query string and
 *   the `Authorization: OAuth` header, HMAC-SHA1 or HMAC-SHA256 keyed with `secret&`, a timestamp within 15
 *   minutes and a nonce never used before;
 * - a request with none of OAuth's parameters is anonymous.
 * Written from WooCommerce's algorithm, apart from ferry's signer, so that each checks the other.
 */
export interface WooAuthOptions {
  consumerKey: string;
  consumerSecret: string;
  /** Serve as a store behind https: Basic auth is accepted and base strings are signed as https. */
  ssl: boolean;
  /** The store's home URL (scheme, host, port): the base string's host is the store's, not the request's. */
  homeUrl: string;
}

export type WooAuthOutcome =
  | { kind: 'user'; consumerKey: string }
  | { kind: 'anonymous' }
  | { kind: 'refused'; code: string; message: string };

const VALID_WINDOW_SECONDS = 15 * 60;
const REQUIRED = [
  'oauth_consumer_key',
  'oauth_timestamp',
  'oauth_nonce',
  'oauth_signature',
  'oauth_signature_method',
] as const;
const ALGORITHMS: Record<string, string> = { 'HMAC-SHA1': 'sha1', 'HMAC-SHA256': 'sha256' };

/** PHP's rawurlencode (RFC 3986). */
function rawurlencode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const refused = (message: string, code = 'woocommerce_rest_authentication_error'): WooAuthOutcome => ({
  kind: 'refused',
  code,
  message,
});

export class WooAuthenticator {
  /** Nonces seen in the last 15 minutes, with their timestamps (WooCommerce keeps them per key). */
  private readonly nonces = new Map<string, number>();
  private prunedAtSeconds = 0;

  constructor(private readonly options: WooAuthOptions) {}

  authenticate(req: IncomingMessage, url: URL, nowMs = Date.now()): WooAuthOutcome {
    if (this.options.ssl) {
      const basic = this.basic(req, url);
      if (basic) return basic;
    }
    return this.oauth(req, url, Math.floor(nowMs / 1000));
  }

  private basic(req: IncomingMessage, url: URL): WooAuthOutcome | undefined {
    let key = url.searchParams.get('consumer_key');
    let secret = url.searchParams.get('consumer_secret');
    const header = req.headers.authorization;
    if (!(key && secret) && header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      [key, secret] = colon > 0 ? [decoded.slice(0, colon), decoded.slice(colon + 1)] : [null, null];
    }
    // Without both, or with an unknown key, Basic auth gives no user, and OAuth is tried.
    if (!key || !secret || key !== this.options.consumerKey) return undefined;
    if (secret !== this.options.consumerSecret) return refused('Consumer secret is invalid.');
    return { kind: 'user', consumerKey: key };
  }

  private oauth(req: IncomingMessage, url: URL, nowSeconds: number): WooAuthOutcome {
    const params = new Map<string, string>(url.searchParams);
    for (const [name, value] of headerParams(req.headers.authorization)) params.set(name, value);
    const missing = REQUIRED.filter((name) => !params.get(name));
    if (missing.length === REQUIRED.length) return { kind: 'anonymous' };
    if (missing.length > 0) {
      return refused(
        `Missing OAuth parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        'woocommerce_rest_authentication_missing_parameter',
      );
    }
    if (params.get('oauth_consumer_key') !== this.options.consumerKey) {
      return refused('Consumer key is invalid.');
    }
    const algorithm = ALGORITHMS[params.get('oauth_signature_method') as string];
    if (!algorithm) return refused('Invalid signature - signature method is invalid.');

    const given = (params.get('oauth_signature') as string).replace(/ /g, '+');
    params.delete('oauth_signature');
    const home = new URL(this.options.homeUrl);
    const baseUri = `${this.options.ssl ? 'https' : 'http'}://${home.host}${url.pathname}`;
    const pairs = [...params]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => rawurlencode(`${rawurlencode(name)}=${rawurlencode(value)}`));
    const stringToSign = `${req.method?.toUpperCase()}&${rawurlencode(baseUri)}&${pairs.join('%26')}`;
    const expected = createHmac(algorithm, `${this.options.consumerSecret}&`)
      .update(stringToSign)
      .digest('base64');
    if (!sameText(expected, given)) return refused('Invalid signature - provided signature does not match.');

    const timestamp = Number(params.get('oauth_timestamp'));
    if (!(Math.abs(nowSeconds - timestamp) <= VALID_WINDOW_SECONDS)) return refused('Invalid timestamp.');
    if (nowSeconds !== this.prunedAtSeconds) {
      // Once a second at most: a long backfill leaves tens of thousands of nonces within the window.
      this.prunedAtSeconds = nowSeconds;
      for (const [seen, at] of this.nonces)
        if (nowSeconds - at > VALID_WINDOW_SECONDS) this.nonces.delete(seen);
    }
    const nonce = params.get('oauth_nonce') as string;
    if (this.nonces.has(nonce)) return refused('Invalid nonce - nonce has already been used.');
    this.nonces.set(nonce, timestamp);
    return { kind: 'user', consumerKey: this.options.consumerKey };
  }
}

/** `Authorization: OAuth oauth_x="…", oauth_y="…"`, values URL-decoded. */
function headerParams(header: string | undefined): [string, string][] {
  if (!header?.startsWith('OAuth ')) return [];
  return [...header.matchAll(/(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))/g)].map((match) => [
    match[1] as string,
    safeDecode(match[2] ?? match[3] ?? ''),
  ]);
}

/** PHP's urldecode never fails: a malformed escape stays as it is (and the signature then does not match). */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
