import { describe, expect, it } from 'vitest';
import { percentEncode, signatureBaseString, signOAuth1 } from '../../../src/connectors/auth/oauth1.js';

const consumer = { key: 'ck_test', secret: 'cs_test' };
const url = new URL('http://127.0.0.1:8080/wp-json/wc/v3/orders');
for (const [name, value] of Object.entries({
  page: '2',
  per_page: '100',
  after: '2024-01-01T00:00:00Z',
  _fields: 'id,date_created_gmt',
  search: "O'Brien & Co",
})) {
  url.searchParams.set(name, value);
}
const fixed = { nonce: 'abc123', timestampSeconds: 1_700_000_000 };

// The expected values were computed apart from ferry's code, with Python's hmac and urllib.parse.quote(safe='~').
describe('OAuth 1.0a one-legged signing (RFC 5849), as WooCommerce checks it over http', () => {
  it('encodes as RFC 3986 says, including the characters encodeURIComponent leaves alone', () => {
    expect(percentEncode("O'Brien & Co (NL)!*~")).toBe('O%27Brien%20%26%20Co%20%28NL%29%21%2A~');
  });

  it('builds the base string from the method, the URL without its query, and every parameter sorted', () => {
    const signed = signOAuth1('get', url, consumer, fixed);
    const params = [...signed.searchParams].filter(([name]) => name !== 'oauth_signature');
    expect(signatureBaseString('GET', signed, params)).toBe(
      'GET&http%3A%2F%2F127.0.0.1%3A8080%2Fwp-json%2Fwc%2Fv3%2Forders&_fields%3Did%252Cdate_created_gmt%26after%3D2024-01-01T00%253A00%253A00Z%26oauth_consumer_key%3Dck_test%26oauth_nonce%3Dabc123%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0%26page%3D2%26per_page%3D100%26search%3DO%2527Brien%2520%2526%2520Co',
    );
  });

  it('signs with HMAC-SHA256 by default and with HMAC-SHA1 when asked, keeping the request parameters', () => {
    const sha256 = signOAuth1('GET', url, consumer, fixed);
    expect(sha256.searchParams.get('oauth_signature')).toBe('r8Y4eYwzvpGLHZGYSAyHirJrGQ4LCX7MP+5POHGtvvM=');
    expect(sha256.searchParams.get('search')).toBe("O'Brien & Co");
    const sha1 = signOAuth1('GET', url, consumer, { ...fixed, signatureMethod: 'HMAC-SHA1' });
    expect(sha1.searchParams.get('oauth_signature')).toBe('R72egquS5DHx8K5mmpGH33dik64=');
  });

  it('signs a URL that carries an earlier signature (a Link header keeps the parameters) afresh', () => {
    const first = signOAuth1('GET', url, consumer, fixed);
    const again = signOAuth1('GET', first, consumer, fixed);
    expect(again.searchParams.get('oauth_signature')).toBe(first.searchParams.get('oauth_signature'));
    expect(again.searchParams.getAll('oauth_signature')).toHaveLength(1);
  });

  it('uses a new nonce on every request, as WooCommerce refuses a nonce it has seen', () => {
    const nonces = new Set(
      Array.from({ length: 20 }, () => signOAuth1('GET', url, consumer).searchParams.get('oauth_nonce')),
    );
    expect(nonces.size).toBe(20);
  });
});
