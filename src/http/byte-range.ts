/**
 * `Range: bytes=…` as RFC 9110 says (parsed by `range-parser`): one range
 * (`a-b`, `a-`, or the suffix `-n`) is served as 206 with exactly those
 * bytes; several ranges are served whole (200), which RFC 9110 allows; a
 * range that is unsatisfiable for the object's size, or a malformed header,
 * is RANGE_NOT_SATISFIABLE (416, with a Content-Range header giving the size).
 */
import parseRange from "range-parser";
import { LarderError } from "../domain/errors";

/** Inclusive byte positions. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The one range to serve, undefined for the whole object. */
export function byteRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const parsed = parseRange(size, header);
  if (parsed === -1 || parsed === -2 || parsed.type !== "bytes") {
    const why = parsed === -1 ? "no byte of it lies within the file" : "it is not of the form bytes=start-end";
    throw new LarderError("RANGE_NOT_SATISFIABLE", `Range '${header}' cannot be served: ${why} (${size} bytes)`, {
      size,
      range: header,
    });
  }
  return parsed.length === 1 ? { start: parsed[0].start, end: parsed[0].end } : undefined;
}
