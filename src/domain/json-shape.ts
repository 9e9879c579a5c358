/**
 * The shape every JSON request body must have before anything reads it.
 * Pure.
 *
 * - Nesting of at most MAX_JSON_DEPTH arrays and objects: deeper values
 *   (which no field of the API needs) would make recursive writers overflow.
 * - No key `__proto__`: a JavaScript object built from the body would take it
 *   as its prototype, and the value (a column, a tag) would silently vanish.
 *
 * Both are 400s naming where in the body the problem is, e.g.
 * `entity_df.label[3]`.
 */
import { invalid } from "./errors";

export const MAX_JSON_DEPTH = 64;

function pathOf(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Throws VALIDATION_ERROR when `value` breaks the rules above; walks iteratively (no recursion to overflow). */
export function assertSafeJson(value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: "" }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== "object") continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) {
      const where = item.path.length > 80 ? `${item.path.slice(0, 80)}…` : item.path || "the body";
      throw invalid(`JSON at ${where} is nested deeper than ${maxDepth} levels of arrays and objects`, {
        path: item.path,
        max_depth: maxDepth,
      });
    }
    if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => {
        if (v !== null && typeof v === "object") stack.push({ value: v, depth, path: pathOf(item.path, i) });
      });
      continue;
    }
    for (const key of Object.keys(item.value)) {
      if (key === "__proto__") {
        throw invalid(`JSON key '__proto__' at ${item.path || "the top level"} is not allowed`, {
          path: item.path,
          key,
        });
      }
      const v = (item.value as Record<string, unknown>)[key];
      if (v !== null && typeof v === "object") stack.push({ value: v, depth, path: pathOf(item.path, key) });
    }
  }
}
