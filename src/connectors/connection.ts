import { z } from 'zod';

/** How long one request may take before it counts as hung and is sent again; 60 s when not given. */
const requestTimeoutSeconds = z.coerce.number().int().min(1).max(600).optional();
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;

/** A WooCommerce store's REST API, reached with a consumer key and secret. */
export const wooConnectionSchema = z.object({
  kind: z.literal('woocommerce'),
  /** The store's site URL; the API lives under /wp-json/wc/v3. */
  baseUrl: z.url(),
  consumerKey: z.string().min(1),
  consumerSecret: z.string().min(1),
  requestTimeoutSeconds,
});

/** An SAP Business One company, reached through its Service Layer with a session login. */
export const sapConnectionSchema = z.object({
  kind: z.literal('sap'),
  /** The Service Layer root, e.g. https://sap.example.com:50000/b1s/v1 */
  baseUrl: z.url(),
  companyDb: z.string().min(1),
  userName: z.string().min(1),
  password: z.string().min(1),
  requestTimeoutSeconds,
});

/** Where a source is and the secrets to reach it; resolved in the worker, never sent through Temporal. */
export const sourceConnectionSchema = z.discriminatedUnion('kind', [
  wooConnectionSchema,
  sapConnectionSchema,
]);

export type WooConnection = z.infer<typeof wooConnectionSchema>;
export type SapConnection = z.infer<typeof sapConnectionSchema>;
export type SourceConnection = z.infer<typeof sourceConnectionSchema>;
