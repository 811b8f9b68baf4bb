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
 * unless they ask for more with FERRY_LOG_LEVEL. Must run before the first connection is made.
 */
export function installTemporalRuntime(env: NodeJS.ProcessEnv = process.env): void {
  if (installed) return;
  installed = true;
  const requested = LEVELS[env.FERRY_LOG_LEVEL ?? ''];
  const level = requested && requested !== 'INFO' ? requested : 'WARN';
  Runtime.install({ logger: new DefaultLogger(level) });
}
