import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

const LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

let installed = false;

/**
 * The SDK logs every worker state change and the whole webpack report at INFO; operators only need warnings
 * unless they ask for more with FERRY_LOG_LEVEL. With FERRY_METRICS_ADDRESS (host:port) the worker serves
 * Prometheus metrics at /metrics there. Must run before the first connection is made.
 */
export function installTemporalRuntime(env: NodeJS.ProcessEnv = process.env): void {
  if (installed) return;
  installed = true;
  const requested = LEVELS[env.FERRY_LOG_LEVEL ?? ''];
  const level = requested && requested !== 'INFO' ? requested : 'WARN';
  const metricsAddress = env.FERRY_METRICS_ADDRESS;
  Runtime.install({
    logger: new DefaultLogger(level),
    // The SDK's own Prometheus exporter: its worker metrics and ferry's (activities/metrics.ts) on one /metrics.
    ...(metricsAddress
      ? {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true } },
          },
        }
      : {}),
  });
}
