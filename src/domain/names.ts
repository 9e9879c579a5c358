import { invalid } from "../errors";

/** Registry object names: identifiers, as in Feast. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Columns every offline row carries besides join keys and features. */
export const RESERVED_COLUMNS = ["event_timestamp", "created_timestamp"] as const;

export function assertName(kind: string, name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw invalid(`${kind} name '${name}' is not valid: use letters, digits and _, not starting with a digit`, {
      kind,
      name,
      pattern: NAME_PATTERN.source,
    });
  }
}
