/** Entity keys typed into a field (online lookup). Pure. */

/** Entity key values typed in a field: separated by commas, spaces or new lines; duplicates kept once. */
export function parseKeyList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

/** A key value for the entity's value type: INT32 and INT64 keys as numbers when they are integers. */
export function typedKey(value: string, valueType: string | undefined): string | number {
  if ((valueType === "INT32" || valueType === "INT64") && /^-?\d+$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  return value;
}
