import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { drawTransportFault, type FaultSettings, faultSettingsSchema, NO_FAULTS } from './faults.js';
import { type JsonEncoder, readJsonBody, sendJson } from './http.js';
import { SlidingWindowRateLimiter } from './rate-limiter.js';

/** Options every emulator takes besides its own: a rate limit, faults, and where to listen. */
export const commonEmulatorOptions = {
  /** Per API key or session; 0 means unlimited. */
  rateLimitPerMinute: z.number().int().min(0).default(0),
  faults: faultSettingsSchema.partial().default({}),
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
};

/** What an emulator counts of the traffic it served; tests and benchmarks read it. */
export interface EmulatorStats {
  requests: number;
  /** The most requests any sliding 60-second window has seen: what a source's per-minute limit judges. */
  peakPerMinute: number;
  /** When the first and the latest request arrived (ms since the epoch); null before any. */
  firstRequestAtMs: number | null;
  lastRequestAtMs: number | null;
  byStatus: Record<string, number>;
  resets: number;
  hangs: number;
  malformedPages: number;
}

/** How an API answers the failures the traffic layer decides on, in its own error format. */
export interface TrafficAnswers {
  serverError(res: ServerResponse, status: number): void;
  tooManyRequests(res: ServerResponse): void;
  /** How the API writes its pages as JSON, when its platform escapes more than JSON.stringify. */
  encode?: JsonEncoder;
}

/**
 * The part every emulator shares: counting requests, playing transport faults (resets, hangs, latency, 5xx),
 * the rate limit, malformed pages, and the control routes that switch them (/stats, /faults, /rate-limit).
 */
export class EmulatorTraffic {
  readonly stats: EmulatorStats = {
    requests: 0,
    peakPerMinute: 0,
    firstRequestAtMs: null,
    lastRequestAtMs: null,
    byStatus: {},
    resets: 0,
    hangs: 0,
    malformedPages: 0,
  };
  /** Arrival times of the requests of the last minute, oldest first from `windowStart`. */
  private readonly lastMinute: number[] = [];
  private windowStart = 0;
  private readonly limiter: SlidingWindowRateLimiter;
  faults: FaultSettings;

  constructor(
    options: { rateLimitPerMinute: number; faults: Partial<FaultSettings> },
    private readonly answers: TrafficAnswers,
    /** Told of new fault settings, for faults that live in the data (malformed records). */
    private readonly onFaults: (faults: FaultSettings) => void = () => undefined,
  ) {
    this.limiter = new SlidingWindowRateLimiter(options.rateLimitPerMinute);
    this.faults = { ...NO_FAULTS, ...options.faults };
    onFaults(this.faults);
  }

  /**
   * Counts an API request, plays the fault drawn for it and applies the rate limit for `key`. Returns true when
   * the request has been dealt with (answered, reset or left hanging), so the API must not answer it.
   */
  async intercept(req: IncomingMessage, res: ServerResponse, key: string): Promise<boolean> {
    this.stats.requests++;
    this.countArrival(Date.now());
    const fault = drawTransportFault(this.faults);
    if (fault.kind === 'reset') {
      this.stats.resets++;
      req.socket.destroy();
      return true;
    }
    if (fault.kind === 'hang') {
      this.stats.hangs++;
      return true; // never answered; the socket is destroyed when the client gives up or the emulator closes
    }
    if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
    res.on('finish', () => {
      this.stats.byStatus[res.statusCode] = (this.stats.byStatus[res.statusCode] ?? 0) + 1;
    });
    if (fault.kind === 'error') {
      this.answers.serverError(res, fault.status);
      return true;
    }
    if (Math.random() < this.faults.tooManyRequestsRate) {
      res.setHeader('Retry-After', this.faults.stormRetryAfter);
      this.answers.tooManyRequests(res);
      return true;
    }
    const decision = this.limiter.take(key);
    if (!decision.allowed) {
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      this.answers.tooManyRequests(res);
      return true;
    }
    return false;
  }

  private countArrival(nowMs: number): void {
    this.stats.firstRequestAtMs ??= nowMs;
    this.stats.lastRequestAtMs = nowMs;
    this.lastMinute.push(nowMs);
    while ((this.lastMinute[this.windowStart] as number) <= nowMs - 60_000) this.windowStart++;
    this.stats.peakPerMinute = Math.max(this.stats.peakPerMinute, this.lastMinute.length - this.windowStart);
    // Drop what slid out of the window now and then, not on every request.
    if (this.windowStart > 4096) {
      this.lastMinute.splice(0, this.windowStart);
      this.windowStart = 0;
    }
  }

  /**
   * Sends a page of a listing, cut in half when the malformed-page fault is drawn for it or when it holds one of
   * the page-breaking records (`ids`: the records on the page).
   */
  sendPage(
    res: ServerResponse,
    body: unknown,
    headers: Record<string, string>,
    ids: readonly number[],
  ): void {
    const broken =
      this.faults.pageBreakingIds.length > 0 && ids.some((id) => this.faults.pageBreakingIds.includes(id));
    if (broken || Math.random() < this.faults.malformedPageRate) {
      this.stats.malformedPages++;
      const text = (this.answers.encode ?? JSON.stringify)(body);
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      return;
    }
    sendJson(res, 200, body, headers, this.answers.encode);
  }

  /** Serves the shared control routes (path relative to /__emulator); false when `path` is none of them. */
  async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path === '/stats') {
      sendJson(res, 200, this.stats);
      return true;
    }
    if (path === '/faults' && req.method === 'GET') {
      sendJson(res, 200, this.faults);
      return true;
    }
    if (path === '/faults' && req.method === 'PUT') {
      const parsed = faultSettingsSchema.partial().safeParse(await readJsonBody(req));
      if (!parsed.success) {
        invalidControlBody(res, parsed.error);
        return true;
      }
      this.faults = { ...this.faults, ...parsed.data };
      this.onFaults(this.faults);
      sendJson(res, 200, this.faults);
      return true;
    }
    if (path === '/rate-limit' && req.method === 'PUT') {
      const parsed = z
        .object({ requestsPerMinute: z.number().int().min(0) })
        .safeParse(await readJsonBody(req));
      if (!parsed.success) {
        invalidControlBody(res, parsed.error);
        return true;
      }
      this.limiter.setLimit(parsed.data.requestsPerMinute);
      sendJson(res, 200, { requestsPerMinute: this.limiter.limit });
      return true;
    }
    return false;
  }
}

/** 400 with zod's account of what is wrong in a control request's body. */
export function invalidControlBody(res: ServerResponse, error: z.ZodError): void {
  sendJson(res, 400, { message: z.prettifyError(error) });
}
