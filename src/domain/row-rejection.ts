/**
 * The one row-rejection type of every row-by-row write (push, ingest, Feast
 * push): a row is accepted whole or rejected whole with its index, the
 * reason, and the field at fault when there is one. Pure.
 */

/** A rejected row as responses list it. */
export interface RowRejection {
  index: number;
  reason: string;
  field?: string;
}

/** Thrown while judging one row; the caller turns it into a RowRejection with the row's index. */
export class RowRejected extends Error {
  constructor(
    readonly reason: string,
    readonly field?: string,
  ) {
    super(reason);
    this.name = "RowRejected";
  }

  rejection(index: number): RowRejection {
    return { index, reason: this.reason, ...(this.field ? { field: this.field } : {}) };
  }
}
