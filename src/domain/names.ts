/**
 * The one naming rule: registry objects, join keys, features and projects
 * are identifiers (as in Feast) of at most NAME_MAX_LENGTH characters. Pure.
 */
import { invalid } from "./errors";

/** Identifiers: letters, digits and `_`, not starting with a digit. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const NAME_MAX_LENGTH = 128;
/**
 * Names a JavaScript object treats specially: a user's name never becomes
 * one of them, so no object keyed by user names can be corrupted through it.
 */
export const RESERVED_NAMES: readonly string[] = ["__proto__", "constructor", "prototype"];
export const NAME_RULE =
  "letters, digits and _, not starting with a digit, at most 128 characters, and not __proto__, constructor or prototype";

/** Whether `name` follows the naming rule. */
export function isValidName(name: unknown): name is string {
  return (
    typeof name === "string" &&
    name.length <= NAME_MAX_LENGTH &&
    NAME_PATTERN.test(name) &&
    !RESERVED_NAMES.includes(name)
  );
}

/**
 * A project name from a request (query, body, path), checked by the naming
 * rule before anything uses it as a key; VALIDATION_ERROR naming the rule.
 */
export function checkedProject(project: unknown): string {
  if (isValidName(project)) return project;
  const shown =
    typeof project === "string"
      ? JSON.stringify(project.length > 64 ? `${project.slice(0, 64)}…` : project)
      : typeof project;
  throw invalid(`Project name ${shown} is not valid: use ${NAME_RULE}`, { field: "project", rule: NAME_RULE });
}

/** Offline columns Larder writes besides join keys and features. */
export const EVENT_TIMESTAMP = "event_timestamp";
export const CREATED_TIMESTAMP = "created_timestamp";

/**
 * Bookkeeping columns of the files Larder writes (see `write-version.ts` and
 * `carried.ts`): a row's write sequence (INT64), its write id (INT32), and
 * which features it carried (null: all; else their names, sorted, joined by
 * commas).
 */
export const WRITE_SEQUENCE = "_larder_seq";
export const WRITE_ID = "_larder_wid";
export const CARRIED = "_larder_carried";

/** Columns every offline row carries besides join keys and features: no feature or join key may take their names. */
export const RESERVED_COLUMNS = [EVENT_TIMESTAMP, CREATED_TIMESTAMP, WRITE_SEQUENCE, WRITE_ID, CARRIED] as const;
