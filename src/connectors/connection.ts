import { z } from 'zod';
import { defineConnectionKind, registerConnectionKind } from '../kit/connections.js';

/** How long one request may take before it counts as hung and is sent again, when not given. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;

/** A WooCommerce store's REST API, reached with a consumer key and secret. */
export const woocommerceConnection = defineConnectionKind({
  kind: 'woocommerce',
  fields: {
    /** The store's site URL; the API lives under /wp-json/wc/v3. */
    baseUrl: { variable: 'URL', schema: z.url() },
    consumerKey: { variable: 'KEY', schema: z.string().min(1) },
    consumerSecret: { variable: 'SECRET', schema: z.string().min(1) },
  },
});

/** An SAP Business One company, reached through its Service Layer with a session login. */
export const sapConnection = defineConnectionKind({
  kind: 'sap',
  fields: {
    /** The Service Layer root, e.g. https://sap.example.com:50000/b1s/v1 */
    baseUrl: { variable: 'URL', schema: z.url() },
    companyDb: { variable: 'COMPANY_DB', schema: z.string().min(1) },
    userName: { variable: 'USER', schema: z.string().min(1) },
    password: { variable: 'PASSWORD', schema: z.string().min(1) },
  },
});

/** An e-Boekhouden administration, reached with an API token (made in its web UI) through a session. */
export const eboekhoudenConnection = defineConnectionKind({
  kind: 'eboekhouden',
  fields: {
    /** The API root: https://api.e-boekhouden.nl/v1 (Belgium: .be). */
    baseUrl: { variable: 'URL', schema: z.url() },
    accessToken: { variable: 'TOKEN', schema: z.string().min(1) },
    /** The application's name, as e-Boekhouden asks for it at login (at most 10 characters). */
    source: { variable: 'SOURCE', schema: z.string().min(1).max(10).default('ferry') },
  },
});

/** A Neon CRM organisation, reached with HTTP Basic: its organisation id and an API key of a user with API access. */
export const neonConnection = defineConnectionKind({
  kind: 'neon',
  fields: {
    /** The API root: https://api.neoncrm.com/v2 (trial instances: https://trial.neoncrm.com/v2). */
    baseUrl: { variable: 'URL', schema: z.url().default('https://api.neoncrm.com/v2') },
    orgId: { variable: 'ORG_ID', schema: z.string().min(1) },
    apiKey: { variable: 'API_KEY', schema: z.string().min(1) },
  },
});

registerConnectionKind(woocommerceConnection);
registerConnectionKind(sapConnection);
registerConnectionKind(eboekhoudenConnection);
registerConnectionKind(neonConnection);

export type WooConnection = z.infer<typeof woocommerceConnection.schema>;
export type SapConnection = z.infer<typeof sapConnection.schema>;
export type EboekhoudenConnection = z.infer<typeof eboekhoudenConnection.schema>;
export type NeonConnection = z.infer<typeof neonConnection.schema>;

/** A connection of a kind declared elsewhere (defineConnectionKind): its fields as that kind validated them. */
export interface DeclaredConnection {
  kind: string;
  requestTimeoutSeconds?: number;
  [field: string]: unknown;
}

/** Where a source is and the secrets to reach it; resolved in the worker, never sent through Temporal. */
export type SourceConnection = WooConnection | SapConnection | DeclaredConnection;

/** The connections `ferry dev` writes into its state file: the emulators', of the built-in kinds. */
export const builtInConnectionSchema = z.discriminatedUnion('kind', [
  woocommerceConnection.schema,
  sapConnection.schema,
  eboekhoudenConnection.schema,
  neonConnection.schema,
]);
