import { SourceAuthError } from '../../connectors/errors.js';
import {
  type RequestContext,
  readJson,
  redirectedTo,
  type SourceResponse,
  sendRequest,
  throwUnlessOk,
} from '../../connectors/http.js';
import type { RateLimitKind, Source } from '../../connectors/source.js';
import { FerryError } from '../../errors.js';
import type { ConnectionKind } from '../connections.js';
import type { Attempt, Auth, AuthContext, LoginAnswer } from './auth.js';

/** How a REST API is reached: each part swappable, each with a default. */
export interface RestApiDeclaration {
  /** The source's name in messages ("WooCommerce"). */
  system: string;
  /** The kind of connection it is reached with; a connection of another kind is refused by name. */
  connection: ConnectionKind;
  /** The API's root URL from the connection; its `baseUrl` field unless given. */
  root?: (connection: Readonly<Record<string, unknown>>) => string;
  auth: Auth;
  /** The source's own message in an error body, for error messages. */
  errorMessage?: (body: unknown) => string | undefined;
  /** What to check when the source refuses the credentials ("its consumer key and secret"). */
  credentials: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * What the API's 429s limit: requests per minute (the default; ferry's pace slows down), or requests at the
   * same time (`concurrent`: the request waits and goes again, the pace stays).
   */
  rateLimit?: RateLimitKind;
}

export interface RestApi {
  readonly declaration: RestApiDeclaration;
  /** The API for one source (its connection, pace and session). */
  open(source: Source): RestClient;
}

/** Requests to one source through the declared auth, under the run's pace, with ferry's retries and errors. */
export class RestClient {
  private readonly root: string;
  private readonly auth: AuthContext;

  constructor(
    private readonly declaration: RestApiDeclaration,
    private readonly source: Source,
  ) {
    const { connection } = source;
    if (connection.kind !== declaration.connection.kind) {
      throw new FerryError(
        `Connection "${source.name}" is a ${connection.kind} connection; ${declaration.system} needs a ${declaration.connection.kind} one`,
      );
    }
    const fields = connection as unknown as Record<string, unknown>;
    this.root = (declaration.root?.(fields) ?? String(fields.baseUrl)).replace(/\/$/, '');
    this.auth = { connection: fields, login: (request) => this.sendLogin(request) };
  }

  /** The URL of a path (relative to the API's root, or absolute, as a next link is) with query parameters. */
  url(path: string, params: Record<string, string> = {}): URL {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(`${this.root}/${path.replace(/^\//, '')}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url;
  }

  private context(url: URL, authorize?: (url: URL) => URL): RequestContext {
    return {
      system: this.declaration.system,
      source: this.source,
      path: url.pathname,
      authorize,
      ...(this.declaration.rateLimit ? { rateLimit: this.declaration.rateLimit } : {}),
    };
  }

  /** Refused credentials; an answer from where a redirect led says so (credentials stay on their origin). */
  private refused(response: SourceResponse, body: unknown): SourceAuthError {
    const message = this.declaration.errorMessage?.(body) ?? 'no message';
    const where = redirectedTo(response);
    return new SourceAuthError(
      `${this.declaration.system} connection "${this.source.name}" was refused (${response.status}: ${message}); check ${this.declaration.credentials}${where ? `; the request was ${where}, so check the connection's base URL too` : ''}`,
    );
  }

  private async sendLogin(request: { path: string; method?: string; body: unknown }): Promise<LoginAnswer> {
    const url = this.url(request.path);
    const response = await sendRequest(this.context(url), url, {
      method: request.method ?? 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...this.declaration.headers,
      },
      body: JSON.stringify(request.body),
    });
    if (response.status === 401 || response.status === 403) {
      throw this.refused(response, response.parsed());
    }
    // A login the source could not answer now (429, 5xx) is retried like any request; only refusal is final.
    throwUnlessOk(response, this.context(url), this.declaration.errorMessage);
    return { status: response.status, headers: response.headers, body: response.parsed() };
  }

  /**
   * The session's token: one login per worker and connection, shared by the requests that wait for it. A token
   * held (or none needed) comes back as it is, not in a promise: every request asks.
   */
  private token(): string | undefined | Promise<string> {
    const { auth } = this.declaration;
    if (!auth.login) return undefined;
    const { session } = this.source;
    if (session.token) return session.token;
    // The token is stored by the login itself, before anyone waiting on it resumes: a request that looks in
    // between finds it instead of logging in a second time.
    session.login ??= auth
      .login(this.auth)
      .then((token) => {
        session.token = token;
        return token;
      })
      .finally(() => {
        session.login = undefined;
      });
    return session.login;
  }

  /**
   * Sends a request and returns its successful response. Refused credentials fail at once (SourceAuthError);
   * an expired session is logged in again once; other failures are ferry's usual retries and errors.
   */
  async request(
    method: string,
    path: string,
    options: { params?: Record<string, string>; headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<SourceResponse> {
    const { auth } = this.declaration;
    const url = this.url(path, options.params);
    for (let attempt = 0; ; attempt++) {
      const held = this.token();
      const token = typeof held === 'object' ? await held : held;
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...this.declaration.headers,
        ...options.headers,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      };
      const authorize = (target: URL) => {
        const signed: Attempt = { method, url: target, headers };
        auth.apply(signed, this.auth, token);
        return signed.url;
      };
      const response = await sendRequest(this.context(url, authorize), url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      if (response.status === 401 || response.status === 403) {
        const body = response.parsed();
        if (attempt === 0 && token && auth.expired?.(response.status, body)) {
          // Another activity may have logged in meanwhile; only a session still ours is dropped.
          if (this.source.session.token === token) this.source.session.token = undefined;
          continue;
        }
        throw this.refused(response, body);
      }
      throwUnlessOk(response, this.context(url), this.declaration.errorMessage);
      return response;
    }
  }

  /** Ends the source's session, if it has one open and the auth declares how: a check leaves none behind. */
  async logout(): Promise<void> {
    const { auth } = this.declaration;
    const token = this.source.session.token;
    if (!auth.logout || !token) return;
    this.source.session.token = undefined;
    const url = this.url(auth.logout.path);
    const headers: Record<string, string> = { ...this.declaration.headers };
    const attempt: Attempt = { method: auth.logout.method ?? 'POST', url, headers };
    auth.apply(attempt, this.auth, token);
    await sendRequest(this.context(url), attempt.url, { method: attempt.method, headers });
  }

  get(
    path: string,
    params?: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<SourceResponse> {
    return this.request('GET', path, { params, headers });
  }

  /** A GET's body as JSON; a body that is not JSON is a MalformedPageError (retried like a 5xx). */
  getJson<T = unknown>(path: string, params?: Record<string, string>): Promise<T> {
    // Not async: a detail request per record comes here, and every promise less counts (see fetchAll in detail.ts).
    return this.get(path, params).then((response) =>
      readJson<T>(response, `${this.declaration.system} ${path}`),
    );
  }
}

/** Declares how a REST API is reached; `open(source)` gives the client for one source. */
export function restApi(declaration: RestApiDeclaration): RestApi {
  return { declaration, open: (source) => new RestClient(declaration, source) };
}
