import { createHmac, randomUUID } from 'node:crypto';

/**
 * One-legged OAuth 1.0a (RFC 5849), as WooCommerce requires on stores served over plain http: every request
 * carries the consumer key, a timestamp, a nonce used once, and an HMAC of the request made with the consumer
 * secret. The parameters travel in the query string, as WooCommerce's own clients send them.
 */
export interface OAuth1Consumer {
  key: string;
  secret: string;
}

export type OAuth1SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256';

/** RFC 3986 percent-encoding (RFC 5849 §3.6): encodeURIComponent leaves !'()* alone, OAuth does not. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The signature base string (RFC 5849 §3.4.1): the method, the URL without its query, and every parameter
 * (query and oauth_*) encoded, sorted by name then value, joined, and encoded again.
 */
export function signatureBaseString(method: string, url: URL, params: readonly [string, string][]): string {
  const normalized = params
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([nameA, valueA], [nameB, valueB]) =>
      nameA === nameB ? (valueA < valueB ? -1 : 1) : nameA < nameB ? -1 : 1,
    )
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const base = `${url.protocol}//${url.host}${url.pathname}`;
  return `${method.toUpperCase()}&${percentEncode(base)}&${percentEncode(normalized)}`;
}

/** The URL with the oauth_* parameters and their signature added; a new nonce and timestamp on every call. */
export function signOAuth1(
  method: string,
  url: URL,
  consumer: OAuth1Consumer,
  options: { signatureMethod?: OAuth1SignatureMethod; nonce?: string; timestampSeconds?: number } = {},
): URL {
  const signatureMethod = options.signatureMethod ?? 'HMAC-SHA256';
  // The parameters are gathered first and the URL's query written once: each set on a URL's searchParams
  // serialises the whole URL again, and this runs for every request.
  const params = new URLSearchParams(url.search);
  // A URL signed before (a Link header keeps the request's parameters) is signed afresh: RFC 5849 leaves the old
  // signature out of the base string.
  params.delete('oauth_signature');
  const oauth: [string, string][] = [
    ['oauth_consumer_key', consumer.key],
    // Any value used once will do (RFC 5849 §3.3); randomUUID draws from a cached pool of random bytes.
    ['oauth_nonce', options.nonce ?? randomUUID().replaceAll('-', '')],
    ['oauth_signature_method', signatureMethod],
    ['oauth_timestamp', String(options.timestampSeconds ?? Math.floor(Date.now() / 1000))],
    ['oauth_version', '1.0'],
  ];
  for (const [name, value] of oauth) params.set(name, value);
  const signed = new URL(url);
  const base = signatureBaseString(method, signed, [...params]);
  const algorithm = signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  const signature = createHmac(algorithm, `${percentEncode(consumer.secret)}&`)
    .update(base)
    .digest('base64');
  params.set('oauth_signature', signature);
  signed.search = params.toString();
  return signed;
}
