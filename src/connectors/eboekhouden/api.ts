import { auth } from '../../kit/source/auth.js';
import type { Listing } from '../../kit/source/listing.js';
import { bodyNumber, paginate } from '../../kit/source/paginate.js';
import { restApi } from '../../kit/source/rest-api.js';
import { type WindowFilter, windowFilter } from '../../kit/source/window.js';
import { eboekhoudenConnection } from '../connection.js';

/**
 * e-Boekhouden's REST API v1: a session opened with the API token (`POST /session`), its token sent in
 * `Authorization`, a new session once when one expires (401), and the session closed by `DELETE /session`.
 */
const api = restApi({
  system: 'e-Boekhouden',
  connection: eboekhoudenConnection,
  auth: auth.session({
    login: (connection) => ({
      path: 'session',
      body: { accessToken: connection.accessToken, source: connection.source },
    }),
    token: (answer) => (answer.body as { token?: string } | undefined)?.token,
    apply: (attempt, token) => {
      attempt.headers.authorization = `Bearer ${token}`;
    },
    // A refused token fails the login itself; a 401 afterwards is a session that ended.
    expired: (status) => status === 401,
    logout: { path: 'session', method: 'DELETE' },
  }),
  errorMessage: (body) => (body as { message?: string } | undefined)?.message,
  credentials: 'its API token',
});

/** A list (`mutation`, `relation`, `ledger`): `limit` up to 2000 and `offset`, `{ items, count }`. */
const collection = (path: string): Listing => ({
  path,
  records: 'items',
  paginate: paginate.offsetLimit({ maxSize: 2000, total: bodyNumber('count') }),
});

/** Dates of a window as e-Boekhouden filters them: `date[range]=first,last`, both days included. */
const dateWindow: WindowFilter = windowFilter.range({ param: 'date[range]', granularity: 'day' });

/** e-Boekhouden's parts, for a migration of its mutations, relations or ledgers. */
export const eboekhouden = { api, collection, dateWindow };
