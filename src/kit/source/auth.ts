import { signOAuth1 } from '../../connectors/auth/oauth1.js';
import { MalformedPageError } from '../../connectors/errors.js';
import { FerryError } from '../../errors.js';

/** One attempt of a request, as the auth part may change it: its URL (a signed query) and headers. */
export interface Attempt {
  readonly method: string;
  url: URL;
  readonly headers: Record<string, string>;
}

/** What a session login answered: its status, headers and body (parsed JSON, or the text). */
export interface LoginAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** What an auth part may use: the connection's fields (secrets included) and, for sessions, a login request. */
export interface AuthContext {
  readonly connection: Readonly<Record<string, unknown>>;
  /** Sends the session's login request (outside the session) and returns what it answered. */
  login(request: { path: string; method?: string; body: unknown }): Promise<LoginAnswer>;
}

/** How requests to a source are authenticated: a part of a source declaration, swappable for another. */
export interface Auth {
  /** Logs in when the source needs a session; returns the token that `apply` is then given. */
  login?(context: AuthContext): Promise<string>;
  /** Puts the credentials (or the session's token) on one attempt; a signature is made afresh for each. */
  apply(attempt: Attempt, context: AuthContext, token: string | undefined): void;
  /** Whether a refused answer means the session is over (log in again, once) rather than bad credentials. */
  expired?(status: number, body: unknown): boolean;
  /** The request that ends a session, so that a check leaves none open at the source. */
  logout?: { path: string; method?: string };
}

/** A connection field's value as text; a missing one is a configuration error naming the field. */
export function field(connection: Readonly<Record<string, unknown>>, name: string): string {
  const value = connection[name];
  if (typeof value !== 'string' || value === '') {
    throw new FerryError(`The connection has no ${name}, which its authentication needs`);
  }
  return value;
}

/** HTTP Basic with two connection fields. */
function basic(user = 'user', password = 'password'): Auth {
  return {
    apply(attempt, { connection }) {
      const pair = `${field(connection, user)}:${field(connection, password)}`;
      attempt.headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    },
  };
}

/** `Authorization: Bearer <token>` from a connection field. */
function bearer(token = 'token'): Auth {
  return {
    apply(attempt, { connection }) {
      attempt.headers.authorization = `Bearer ${field(connection, token)}`;
    },
  };
}

/** An API key from a connection field, in a header (`X-API-Key`) or a query parameter (`api_key`). */
function apiKey(options: { field: string; header: string } | { field: string; query: string }): Auth {
  return {
    apply(attempt, { connection }) {
      const value = field(connection, options.field);
      if ('header' in options) attempt.headers[options.header.toLowerCase()] = value;
      else attempt.url.searchParams.set(options.query, value);
    },
  };
}

/** One-legged OAuth 1.0a (HMAC-SHA256): a signed query string with a new nonce for every attempt. */
function oauth1(key = 'consumerKey', secret = 'consumerSecret'): Auth {
  return {
    apply(attempt, { connection }) {
      attempt.url = signOAuth1(attempt.method, attempt.url, {
        key: field(connection, key),
        secret: field(connection, secret),
      });
    },
  };
}

/** One part over https and another over plain http (WooCommerce: Basic over https, OAuth 1.0a over http). */
function byScheme(parts: { https: Auth; http: Auth }): Auth {
  const of = (url: URL) => (url.protocol === 'https:' ? parts.https : parts.http);
  return {
    apply: (attempt, context, token) => of(attempt.url).apply(attempt, context, token),
  };
}

/**
 * A session: a login request whose answer carries a token (a cookie such as SAP's B1SESSION, or a token in the
 * body), the token put on every request, and a way to tell an expired session from refused credentials. The
 * session is shared by the worker's activities on the connection and logged in again once when it expires.
 */
function session(declaration: {
  login: (connection: Readonly<Record<string, unknown>>) => { path: string; method?: string; body: unknown };
  token: (answer: LoginAnswer) => string | undefined;
  apply: (attempt: Attempt, token: string) => void;
  expired: (status: number, body: unknown) => boolean;
  logout?: { path: string; method?: string };
}): Auth {
  return {
    async login(context) {
      const answer = await context.login(declaration.login(context.connection));
      const token = declaration.token(answer);
      // Retried like a page cut short: a proxy or a restarting server can answer a login without its token.
      if (!token) throw new MalformedPageError(`The login answered ${answer.status} without a session token`);
      return token;
    },
    apply: (attempt, _context, token) => {
      if (token) declaration.apply(attempt, token);
    },
    expired: declaration.expired,
    ...(declaration.logout ? { logout: declaration.logout } : {}),
  };
}

/** The auth kinds a source declaration picks from; `Auth` is the escape hatch for any other. */
export const auth = { basic, bearer, apiKey, oauth1, byScheme, session };
