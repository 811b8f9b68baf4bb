import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { drawTransportFault, type FaultSettings, faultSettingsSchema } from './faults.js';
import { sendJson } from './http.js';

/** Options every emulator takes besides its own: a rate limit, faults, and where to listen. */
export const commonEmulatorOptions = {
  /** 0 means unlimited. */
  rateLimitPerMinute: z.number().int().min(0).default(0),
  faults: faultSettingsSchema.partial().default({}),
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
};

/** What an emulator counts of the traffic it served; tests and benchmarks read it. */
export interface EmulatorStats {
  requests: number;
  byStatus: Record<string, number>;
  resets: number;
  hangs: number;
  malformedPages: number;
}

export function newStats(): EmulatorStats {
  return { requests: 0, byStatus: {}, resets: 0, hangs: 0, malformedPages: 0 };
}

/**
 * Counts an API request and plays the transport fault drawn for it: a reset connection, a request never
 * answered, added latency, or a 5xx (answered with `serverError`). Returns true when the fault has answered
 * the request, so the API must not.
 */
export async function playTransportFault(
  req: IncomingMessage,
  res: ServerResponse,
  faults: FaultSettings,
  stats: EmulatorStats,
  serverError: (status: number) => void,
): Promise<boolean> {
  stats.requests++;
  const fault = drawTransportFault(faults);
  if (fault.kind === 'reset') {
    stats.resets++;
    req.socket.destroy();
    return true;
  }
  if (fault.kind === 'hang') {
    stats.hangs++;
    return true; // never answered; the socket is destroyed when the client gives up or the emulator closes
  }
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  res.on('finish', () => {
    stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
  });
  if (fault.kind === 'error') {
    serverError(fault.status);
    return true;
  }
  return false;
}

/** Sends a page of a listing, cut in half when the malformed-page fault is drawn for it. */
export function sendPage(
  res: ServerResponse,
  body: unknown,
  headers: Record<string, string>,
  faults: FaultSettings,
  stats: EmulatorStats,
): void {
  if (Math.random() < faults.malformedPageRate) {
    stats.malformedPages++;
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
    return;
  }
  sendJson(res, 200, body, headers);
}
