/**
 * An error the user can fix. Its message is one line that names the problem and the fix; the CLI prints it
 * without a stack trace and exits non-zero.
 */
export class FerryError extends Error {
  override readonly name = 'FerryError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Hides the password of a connection string so it can be shown in errors and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/** The cause of an error on one line, for messages that must stay one line. */
export function describeCause(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeCause(error.errors[0]);
  let text = String(error);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    text =
      typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return text
    .trim()
    .split(/\s*\n\s*/)
    .join(' | ');
}
