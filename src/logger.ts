import { pino } from 'pino';

/**
 * Logs go to stderr so that stdout stays free for the one JSON object a command prints under --json.
 * Credentials are redacted wherever they appear in a logged object.
 */
export const logger = pino(
  {
    name: 'ferry',
    level: process.env.FERRY_LOG_LEVEL ?? 'info',
    redact: {
      paths: [
        'password',
        'secret',
        'consumerSecret',
        'consumerKey',
        'databaseUrl',
        '*.password',
        '*.secret',
        '*.consumerSecret',
        '*.consumerKey',
        '*.databaseUrl',
        'headers.authorization',
      ],
      censor: '***',
    },
  },
  pino.destination(2),
);

export type Logger = typeof logger;
