import { describe, expect, it } from 'vitest';
import {
  auth,
  bodyLink,
  bodyNumber,
  header,
  linkHeaderNext,
  odataNextLink,
  type PageAnswer,
  paginate,
  windowFilter,
} from '../../../src/kit/index.js';

const answer = (parts: {
  headers?: Record<string, string>;
  body?: unknown;
  records?: unknown[];
}): PageAnswer => ({
  headers: new Headers(parts.headers ?? {}),
  body: parts.body ?? [],
  records: parts.records ?? [],
});

describe('paginators', () => {
  const at = (page: number) => ({ page });

  it('page numbers: asks for page and size, and ends at the total of pages or records it is told', () => {
    const byPages = paginate.pageNumber({ maxSize: 100, totalPages: header('X-WP-TotalPages') });
    expect(byPages.request(at(3), 50)).toEqual({ params: { page: '3', per_page: '50' } });
    expect(byPages.read(answer({ headers: { 'x-wp-totalpages': '3' } }), at(2), 50).next).toEqual(at(3));
    expect(byPages.read(answer({ headers: { 'x-wp-totalpages': '3' } }), at(3), 50).next).toBeNull();
    const byTotal = paginate.pageNumber({
      page: 'p',
      size: 'n',
      maxSize: 100,
      total: bodyNumber('meta.total'),
    });
    expect(byTotal.request(at(1), 20).params).toEqual({ p: '1', n: '20' });
    expect(byTotal.read(answer({ body: { meta: { total: 41 } } }), at(2), 20)).toEqual({
      next: at(3),
      total: 41,
    });
    expect(byTotal.read(answer({ body: { meta: { total: 40 } } }), at(2), 20)).toEqual({
      next: null,
      total: 40,
    });
    expect(byPages.positional).toBe(true);
  });

  it('a total the source fails to send is a malformed page (retried), not an end', () => {
    const byPages = paginate.pageNumber({ maxSize: 100, total: header('X-WP-Total') });
    expect(() => byPages.read(answer({}), at(1), 10)).toThrow('the answer has no numeric X-WP-Total header');
  });

  it('offset/limit: the offset of a page, the size as a parameter or a header, more while a next link comes', () => {
    const offsets = paginate.offsetLimit({ maxSize: 2000 });
    expect(offsets.request(at(3), 500)).toEqual({ params: { offset: '1000', limit: '500' } });
    expect(offsets.read(answer({ records: [1, 2] }), at(1), 2).next).toEqual(at(2));
    expect(offsets.read(answer({ records: [1] }), at(1), 2).next).toBeNull();
    const odata = paginate.offsetLimit({
      offset: '$skip',
      sizeHeader: (size) => ({ prefer: `odata.maxpagesize=${size}` }),
      next: odataNextLink,
      maxSize: 100,
    });
    expect(odata.request(at(2), 100)).toEqual({
      params: { $skip: '100' },
      headers: { prefer: 'odata.maxpagesize=100' },
    });
    const withLink = answer({ body: { 'odata.nextLink': 'Orders?$skip=200' }, records: [1] });
    expect(odata.read(withLink, at(2), 100).next).toEqual(at(3));
    expect(odata.read(answer({ body: { value: [] }, records: [1] }), at(2), 100).next).toBeNull();
  });

  it('next links: the first page by its size, every later one at the link the cursor keeps', () => {
    const links = paginate.nextLink({ next: linkHeaderNext, size: 'per_page', maxSize: 100 });
    expect(links.positional).toBe(false);
    expect(links.request(at(1), 50)).toEqual({ params: { per_page: '50' } });
    const link = 'https://shop.example/wp-json/wc/v3/orders?page=2&per_page=50';
    const next = links.read(answer({ headers: { link: `<${link}>; rel="next"` } }), at(1), 50).next;
    expect(next).toEqual({ page: 2, link });
    expect(links.request(next as { page: number; link: string }, 50)).toEqual({ link });
    expect(links.read(answer({ headers: { link: `<${link}>; rel="prev"` } }), at(2), 50).next).toBeNull();
  });

  it('keysets: each page after the last key read, until a page comes short', () => {
    const keys = paginate.keyset({
      key: 'id',
      params: (after, size) => ({ after_id: after ?? '0', limit: String(size) }),
      maxSize: 100,
    });
    expect(keys.request(at(1), 2)).toEqual({ params: { after_id: '0', limit: '2' } });
    const next = keys.read(answer({ records: [{ id: 'INV-001' }, { id: 'INV-002' }] }), at(1), 2).next;
    expect(next).toEqual({ page: 2, after: 'INV-002' });
    expect(keys.request(next as { page: number }, 2)).toEqual({
      params: { after_id: 'INV-002', limit: '2' },
    });
    expect(keys.read(answer({ records: [{ id: 'INV-003' }] }), at(2), 2).next).toBeNull();
  });

  it('reads next links from the Link header, OData bodies and JSON bodies', () => {
    const link =
      '<https://shop.example/wp-json/wc/v3/orders?page=1>; rel="prev", <https://shop.example/wp-json/wc/v3/orders?page=3>; rel="next"';
    expect(linkHeaderNext(answer({ headers: { link } }))).toBe(
      'https://shop.example/wp-json/wc/v3/orders?page=3',
    );
    expect(linkHeaderNext(answer({ headers: { link: '<https://x/?page=1>; rel="prev"' } }))).toBeUndefined();
    expect(odataNextLink(answer({ body: { '@odata.nextLink': 'next' } }))).toBe('next');
    expect(bodyLink('links.next')(answer({ body: { links: { next: 'n' } } }))).toBe('n');
    expect(bodyLink('links.next')(answer({ body: { links: { next: '' } } }))).toBeUndefined();
  });
});

describe('window filters', () => {
  const window = { from: '2024-01-01T00:00:00.000Z', to: '2024-02-01T00:00:00.000Z' };

  it('exclusive bounds in seconds: the lower one moved a second back so that the first second is read', () => {
    const filter = windowFilter.params({
      from: { param: 'after', exclusive: true },
      to: { param: 'before', exclusive: true },
      granularity: 'second',
    });
    expect(filter.params(filter.bounds(window))).toEqual({
      after: '2023-12-31T23:59:59.000Z',
      before: '2024-02-01T00:00:00.000Z',
    });
  });

  it('one parameter with both days included, as e-Boekhouden takes a date range', () => {
    const filter = windowFilter.range({ param: 'date[range]', granularity: 'day' });
    expect(filter.params(filter.bounds(window))).toEqual({ 'date[range]': '2024-01-01,2024-01-31' });
  });

  it('inclusive dates: windows of instants become disjoint date ranges, the last date inside the window', () => {
    const filter = windowFilter.params({
      from: { param: 'dateFrom' },
      to: { param: 'dateTo' },
      granularity: 'day',
    });
    const noon = { from: '2024-01-01T12:00:00.000Z', to: '2024-01-31T12:00:00.000Z' };
    expect(filter.bounds(noon)).toEqual({ from: '2024-01-02', to: '2024-02-01' });
    expect(filter.params(filter.bounds(window))).toEqual({ dateFrom: '2024-01-01', dateTo: '2024-01-31' });
  });
});

describe('auth parts', () => {
  const connection = { user: 'ann', password: 'pw', token: 't0k', consumerKey: 'ck', consumerSecret: 'cs' };
  const context = { connection, login: () => Promise.reject(new Error('no login')) };
  const attempt = (url = 'https://api.example/v1/things?page=1') => ({
    method: 'GET',
    url: new URL(url),
    headers: {} as Record<string, string>,
  });

  it('basic, bearer and API keys put the connection secrets where the source wants them', () => {
    const basic = attempt();
    auth.basic().apply(basic, context, undefined);
    expect(basic.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw').toString('base64')}`);
    const bearer = attempt();
    auth.bearer().apply(bearer, context, undefined);
    expect(bearer.headers.authorization).toBe('Bearer t0k');
    const inHeader = attempt();
    auth.apiKey({ field: 'token', header: 'X-API-Key' }).apply(inHeader, context, undefined);
    expect(inHeader.headers['x-api-key']).toBe('t0k');
    const inQuery = attempt();
    auth.apiKey({ field: 'token', query: 'api_key' }).apply(inQuery, context, undefined);
    expect(inQuery.url.searchParams.get('api_key')).toBe('t0k');
  });

  it('signs plain http with OAuth 1.0a and uses Basic over https, as WooCommerce requires', () => {
    const woo = auth.byScheme({ https: auth.basic('consumerKey', 'consumerSecret'), http: auth.oauth1() });
    const overHttp = attempt('http://shop.example/wp-json/wc/v3/orders?page=2');
    woo.apply(overHttp, context, undefined);
    expect(overHttp.headers.authorization).toBeUndefined();
    expect(overHttp.url.searchParams.get('oauth_consumer_key')).toBe('ck');
    expect(overHttp.url.searchParams.get('oauth_signature')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const overHttps = attempt('https://shop.example/wp-json/wc/v3/orders');
    woo.apply(overHttps, context, undefined);
    expect(overHttps.headers.authorization).toMatch(/^Basic /);
    expect(overHttps.url.searchParams.has('oauth_signature')).toBe(false);
  });

  it('names the missing connection field a part needs', () => {
    expect(() => auth.bearer('apiKey').apply(attempt(), context, undefined)).toThrow(
      'The connection has no apiKey, which its authentication needs',
    );
  });
});
