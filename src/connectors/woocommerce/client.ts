import type { SourceConnection } from '../../sandbox/state-file.js';

export class SourceAuthError extends Error {
  override readonly name = 'SourceAuthError';
}

export class SourceHttpError extends Error {
  override readonly name = 'SourceHttpError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const API_PATH = '/wp-json/wc/v3';

/** Talks to one WooCommerce store's REST API v3 with Basic auth (consumer key and secret). */
export class WooCommerceClient {
  private readonly authorization: string;

  constructor(
    private readonly connectionName: string,
    private readonly connection: SourceConnection,
    private readonly timeoutMs = 30_000,
  ) {
    this.authorization = `Basic ${Buffer.from(`${connection.consumerKey}:${connection.consumerSecret}`).toString('base64')}`;
  }

  private async get(path: string, params: Record<string, string>): Promise<Response> {
    const url = new URL(`${this.connection.baseUrl.replace(/\/$/, '')}${API_PATH}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const response = await fetch(url, {
      headers: { authorization: this.authorization, accept: 'application/json' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.status === 401 || response.status === 403) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new SourceAuthError(
        `WooCommerce connection "${this.connectionName}" was refused (${response.status}: ${body.message ?? 'no message'}); check its consumer key and secret`,
      );
    }
    if (!response.ok) {
      throw new SourceHttpError(
        `WooCommerce answered ${response.status} for ${url.pathname}`,
        response.status,
      );
    }
    return response;
  }

  /** The store's order count, from the X-WP-Total header of a one-order page. */
  async countOrders(): Promise<number> {
    const response = await this.get('/orders', { per_page: '1' });
    await response.body?.cancel();
    const total = Number(response.headers.get('x-wp-total'));
    if (!Number.isFinite(total))
      throw new SourceHttpError('WooCommerce sent no X-WP-Total header', response.status);
    return total;
  }
}
