/**
 * Neon's rate limit is not per minute but per endpoint: so many requests at the same time per organisation
 * (account search 1, account writes 5). Each endpoint's log counts its requests, their statuses, and the most
 * that were in flight at once as the client sent them: a request turned away with a 429 still counts, so a
 * client that sends too many at once shows it here.
 */
export interface EndpointLog {
  /** Requests at the same time this endpoint serves; 0 is unlimited. */
  limit: number;
  requests: number;
  byStatus: Record<string, number>;
  /** The most requests in flight at once, counting the one arriving (429s included). */
  peakConcurrent: number;
  /** Turned away for being over the limit. */
  overLimit: number;
}

export type EndpointName = 'search' | 'read' | 'write' | 'customFields' | 'other';

export class EndpointGate {
  readonly logs: Record<EndpointName, EndpointLog>;
  private readonly inFlight: Record<EndpointName, number> = {
    search: 0,
    read: 0,
    write: 0,
    customFields: 0,
    other: 0,
  };

  constructor(limits: Record<EndpointName, number>) {
    const log = (limit: number): EndpointLog => ({
      limit,
      requests: 0,
      byStatus: {},
      peakConcurrent: 0,
      overLimit: 0,
    });
    this.logs = {
      search: log(limits.search),
      read: log(limits.read),
      write: log(limits.write),
      customFields: log(limits.customFields),
      other: log(limits.other),
    };
  }

  /**
   * Lets a request in or not; one let in holds its place until `leave` (called when its response is done).
   */
  enter(endpoint: EndpointName): boolean {
    const log = this.logs[endpoint];
    log.requests++;
    const arriving = this.inFlight[endpoint] + 1;
    log.peakConcurrent = Math.max(log.peakConcurrent, arriving);
    if (log.limit > 0 && arriving > log.limit) {
      log.overLimit++;
      return false;
    }
    this.inFlight[endpoint] = arriving;
    return true;
  }

  leave(endpoint: EndpointName): void {
    this.inFlight[endpoint]--;
  }

  answered(endpoint: EndpointName, status: number): void {
    const log = this.logs[endpoint];
    log.byStatus[status] = (log.byStatus[status] ?? 0) + 1;
  }
}
