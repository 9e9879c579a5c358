/**
 * The one naming rule: registry objects, join keys, features and projects
 * are identifiers (as in Feast) of at most NAME_MAX_LENGTH characters. Pure.
 */

/** Identifiers: letters, digits and `_`, not starting with a digit. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const NAME_MAX_LENGTH = 128;

/** Offline columns Larder writes besides join keys and features. */
export const EVENT_TIMESTAMP = "event_timestamp";
export const CREATED_TIMESTAMP = "created_timestamp";

/** Columns every offline row carries besides join keys and features. */
export const RESERVED_COLUMNS = [EVENT_TIMESTAMP, CREATED_TIMESTAMP] as const;
