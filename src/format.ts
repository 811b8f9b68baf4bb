/** Plain formatting shared by the CLI and the workflows' Web UI details (no I/O, safe in workflow code). */

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

/**
 * 12,345. Grouped by hand rather than with toLocaleString: ICU's first call costs a run's first workflow task
 * about 16 ms in the workflow sandbox, and the digits must not depend on the ICU data a worker's Node has.
 */
export function formatCount(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+$)/g, ',');
}
