import type { SapConnection } from '../connection.js';
import { MalformedPageError, SourceAuthError } from '../errors.js';
import { connectionOfKind, type RequestContext, readJson, sendRequest, throwUnlessOk } from '../http.js';
import type { Source } from '../source.js';
import type { SapItem, SapManufacturer } from './order-shape.js';

/** Keys per lookup request: about 1 KB of $filter, well inside the URL length SAP and proxies accept. */
const LOOKUP_BATCH = 40;

/** SAP's code for a session that is missing or timed out: log in again and retry once. */
const SESSION_EXPIRED = 301;

interface SapErrorBody {
  error?: { code?: number; message?: { value?: string } };
}

/** The message in SAP's error body, if it has one. */
const messageOf = (body: unknown): string | undefined =>
  (body as SapErrorBody | undefined)?.error?.message?.value;

/**
 * Talks to SAP Business One's Service Layer: the source's session (shared by the worker's activities on the
 * connection), logged in on first use and again when SAP says it timed out; OData collections read page by
 * page through odata.nextLink.
 */
export class SapServiceLayerClient {
  private readonly connection: SapConnection;
  private readonly root: string;

  constructor(private readonly source: Source) {
    this.connection = connectionOfKind(source, 'sap');
    this.root = this.connection.baseUrl.replace(/\/$/, '');
  }

  private context(path: string): RequestContext {
    return { system: 'SAP', source: this.source, path: path.split('?')[0] as string };
  }

  private send(path: string, init: RequestInit): Promise<Response> {
    return sendRequest(this.context(path), `${this.root}/${path}`, init);
  }

  private refused(status: number, body: SapErrorBody): SourceAuthError {
    return new SourceAuthError(
      `SAP connection "${this.source.name}" was refused (${status}: ${messageOf(body) ?? 'no message'}); check its company database, user and password`,
    );
  }

  async login(): Promise<void> {
    const response = await this.send('Login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        CompanyDB: this.connection.companyDb,
        UserName: this.connection.userName,
        Password: this.connection.password,
      }),
    });
    if (response.status === 401 || response.status === 403) {
      throw this.refused(response.status, await response.json().catch(() => ({})));
    }
    await throwUnlessOk(response, this.context('Login'), messageOf);
    await response.body?.cancel();
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
    if (!cookie?.startsWith('B1SESSION=')) {
      throw new MalformedPageError('SAP Login answered without a B1SESSION cookie');
    }
    this.source.session.token = cookie;
  }

  async logout(): Promise<void> {
    const { token: cookie } = this.source.session;
    if (!cookie) return;
    this.source.session.token = undefined;
    const response = await this.send('Logout', { method: 'POST', headers: { cookie } });
    await response.body?.cancel();
  }

  /** A GET in the session; a timed-out session is logged in again once. */
  private async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      if (!this.source.session.token) await this.login();
      const cookie = this.source.session.token as string;
      const response = await this.send(path, { headers: { cookie, ...headers } });
      if (response.status === 401) {
        const body = (await response.json().catch(() => ({}))) as SapErrorBody;
        if (body.error?.code === SESSION_EXPIRED && attempt === 0) {
          // Another activity may have logged in meanwhile; only a session still ours is dropped.
          if (this.source.session.token === cookie) this.source.session.token = undefined;
          continue;
        }
        throw this.refused(401, body);
      }
      await throwUnlessOk(response, this.context(path), messageOf);
      return response;
    }
  }

  /** One page of a collection (`Prefer: odata.maxpagesize`), and the link to the next when there is more. */
  async page<T>(pathAndQuery: string, pageSize: number): Promise<{ value: T[]; nextLink?: string }> {
    const collection = pathAndQuery.split('?')[0] as string;
    const response = await this.get(pathAndQuery, { prefer: `odata.maxpagesize=${pageSize}` });
    const page = await readJson<{ value?: T[]; 'odata.nextLink'?: string }>(
      response,
      `SAP ${collection} page`,
    );
    if (!Array.isArray(page.value)) throw new MalformedPageError(`SAP ${collection} page has no value list`);
    return { value: page.value, nextLink: page['odata.nextLink'] };
  }

  /** Reads a collection page by page, following odata.nextLink; yields each page's records as it arrives. */
  async *pages<T>(collection: string, query: Record<string, string>, pageSize: number): AsyncGenerator<T[]> {
    let next: string | undefined = `${collection}?${new URLSearchParams(query).toString()}`;
    while (next) {
      const page: { value: T[]; nextLink?: string } = await this.page<T>(next, pageSize);
      yield page.value;
      next = page.nextLink;
    }
  }

  /** How many records of a collection match the filter (`Collection/$count`). */
  async count(collection: string, filter: string | undefined): Promise<number> {
    const query = filter ? `?${new URLSearchParams({ $filter: filter }).toString()}` : '';
    const response = await this.get(`${collection}/$count${query}`);
    const text = (await response.text()).trim();
    if (!/^\d+$/.test(text))
      throw new MalformedPageError(`SAP ${collection}/$count answered '${text.slice(0, 80)}'`);
    return Number(text);
  }

  /**
   * Records of a lookup collection by key, many per request (`$filter=Key eq 'a' or Key eq 'b' …`): a chunk's few
   * hundred item codes take a handful of requests instead of one each. Unknown keys are simply absent.
   */
  private async byKeys<T>(
    collection: string,
    key: string,
    values: readonly (string | number)[],
    select: string,
  ) {
    const found: T[] = [];
    for (let start = 0; start < values.length; start += LOOKUP_BATCH) {
      const filter = values
        .slice(start, start + LOOKUP_BATCH)
        .map((value) => `${key} eq ${typeof value === 'number' ? value : `'${value.replace(/'/g, "''")}'`}`)
        .join(' or ');
      for await (const page of this.pages<T>(
        collection,
        { $filter: filter, $select: select },
        LOOKUP_BATCH,
      )) {
        found.push(...page);
      }
    }
    return found;
  }

  items(codes: readonly string[]): Promise<SapItem[]> {
    return this.byKeys<SapItem>('Items', 'ItemCode', codes, 'ItemCode,ItemName,Manufacturer');
  }

  manufacturers(codes: readonly number[]): Promise<SapManufacturer[]> {
    return this.byKeys<SapManufacturer>('Manufacturers', 'Code', codes, 'Code,ManufacturerName');
  }
}
