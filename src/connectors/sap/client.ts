import type { SapConnection } from '../connection.js';
import {
  MalformedPageError,
  parseRetryAfter,
  SourceAuthError,
  SourceHttpError,
  SourceRateLimitError,
} from '../errors.js';
import type { SapItem, SapManufacturer, SapOrder } from './order-shape.js';

/** SAP's code for a session that is missing or timed out: log in again and retry once. */
const SESSION_EXPIRED = 301;

interface SapErrorBody {
  error?: { code?: number; message?: { value?: string } };
}

/** The filter for "changed at or after this instant", with SAP's change stamp split into a date and a time. */
export function changedSinceFilter(date: string, time: string): string {
  return `UpdateDate gt '${date}' or (UpdateDate eq '${date}' and UpdateTime ge '${time}')`;
}

/**
 * Talks to SAP Business One's Service Layer: one session per client, logged in on first use and again when
 * SAP says it timed out; OData collections read page by page through odata.nextLink.
 */
export class SapServiceLayerClient {
  private sessionCookie: string | undefined;
  private readonly root: string;

  constructor(
    private readonly connectionName: string,
    private readonly connection: SapConnection,
    private readonly beforeRequest: () => Promise<void> = () => Promise.resolve(),
    private readonly timeoutMs = 60_000,
  ) {
    this.root = connection.baseUrl.replace(/\/$/, '');
  }

  private async send(
    path: string,
    init: RequestInit & { headers?: Record<string, string> },
  ): Promise<Response> {
    await this.beforeRequest();
    try {
      return await fetch(`${this.root}/${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new SourceHttpError(`SAP request ${path.split('?')[0]} failed (${cause})`, 0);
    }
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
      const body = (await response.json().catch(() => ({}))) as SapErrorBody;
      throw new SourceAuthError(
        `SAP connection "${this.connectionName}" was refused (${response.status}: ${body.error?.message?.value ?? 'no message'}); check its company database, user and password`,
      );
    }
    await this.check(response, 'Login');
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
    if (!cookie?.startsWith('B1SESSION='))
      throw new MalformedPageError('SAP Login answered without a B1SESSION cookie');
    await response.body?.cancel();
    this.sessionCookie = cookie;
  }

  async logout(): Promise<void> {
    if (!this.sessionCookie) return;
    const response = await this.send('Logout', { method: 'POST', headers: { cookie: this.sessionCookie } });
    await response.body?.cancel();
    this.sessionCookie = undefined;
  }

  /** Throws the connector error a failed response stands for. */
  private async check(response: Response, path: string): Promise<void> {
    if (response.ok) return;
    if (response.status === 429) {
      await response.body?.cancel();
      throw new SourceRateLimitError(
        `SAP rate limit on connection "${this.connectionName}"`,
        parseRetryAfter(response.headers.get('retry-after')),
      );
    }
    const body = (await response.json().catch(() => ({}))) as SapErrorBody;
    throw new SourceHttpError(
      `SAP answered ${response.status} for ${path.split('?')[0]}: ${body.error?.message?.value ?? 'no message'}`,
      response.status,
    );
  }

  /** A GET in the session; a timed-out session is logged in again once. 404 comes back as undefined. */
  private async get(path: string, headers: Record<string, string> = {}): Promise<Response | undefined> {
    for (let attempt = 0; ; attempt++) {
      if (!this.sessionCookie) await this.login();
      const response = await this.send(path, {
        headers: { cookie: this.sessionCookie as string, ...headers },
      });
      if (response.status === 401 && attempt === 0) {
        const body = (await response.json().catch(() => ({}))) as SapErrorBody;
        if (body.error?.code === SESSION_EXPIRED) {
          this.sessionCookie = undefined;
          continue;
        }
        throw new SourceAuthError(
          `SAP connection "${this.connectionName}" was refused (401: ${body.error?.message?.value ?? 'no message'})`,
        );
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      await this.check(response, path);
      return response;
    }
  }

  private async json<T>(response: Response, what: string): Promise<T> {
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new MalformedPageError(`SAP ${what} is not valid JSON (${text.length} bytes)`);
    }
  }

  /**
   * Reads a collection page by page (`Prefer: odata.maxpagesize`), following odata.nextLink; yields each page's
   * records as it arrives.
   */
  async *pages<T>(collection: string, query: Record<string, string>, pageSize: number): AsyncGenerator<T[]> {
    let next: string | undefined = `${collection}?${new URLSearchParams(query).toString()}`;
    while (next) {
      const response = await this.get(next, { prefer: `odata.maxpagesize=${pageSize}` });
      if (!response) throw new SourceHttpError(`SAP has no collection ${collection}`, 404);
      const body = await this.json<{ value?: T[]; 'odata.nextLink'?: string }>(
        response,
        `${collection} page`,
      );
      if (!Array.isArray(body.value))
        throw new MalformedPageError(`SAP ${collection} page has no value list`);
      yield body.value;
      next = body['odata.nextLink'];
    }
  }

  async orders(filter: string | undefined, pageSize = 100): Promise<SapOrder[]> {
    const orders: SapOrder[] = [];
    const query: Record<string, string> = { $orderby: 'DocEntry asc' };
    if (filter) query.$filter = filter;
    for await (const page of this.pages<SapOrder>('Orders', query, pageSize)) orders.push(...page);
    return orders;
  }

  async item(code: string): Promise<SapItem | undefined> {
    const response = await this.get(`Items('${encodeURIComponent(code.replace(/'/g, "''"))}')`);
    return response && this.json<SapItem>(response, `item ${code}`);
  }

  async manufacturer(code: number): Promise<SapManufacturer | undefined> {
    const response = await this.get(`Manufacturers(${code})`);
    return response && this.json<SapManufacturer>(response, `manufacturer ${code}`);
  }
}
