/** A source record that no transform can turn into rows: retrying the chunk cannot help. */
export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError';
  constructor(
    readonly sourceKey: string,
    readonly reason: string,
  ) {
    super(`record ${sourceKey}: ${reason}`);
  }
}
