/**
 * Fuzz cases generated from an OpenAPI document: for each operation, its
 * example body mutated field by field (wrong types, nulls, empties, huge
 * arrays, extreme numbers, long and odd Unicode, prototype names, deep
 * nesting), raw bodies no JSON encoder would write (duplicate keys, invalid
 * UTF-8, truncation, wrong content types, 7,000-deep nesting, `__proto__`
 * keys), and hostile path parameters (`../`, `%00`, long, prototype names).
 * Pure and seeded: the same seed gives the same cases.
 */
import { exampleOf, fillPath, type Operation } from "./openapi-requests";

export interface FuzzCase {
  op: Operation;
  /** What was done, for messages. */
  vector: string;
  path: string;
  contentType?: string;
  body?: string | Uint8Array;
}

const LONG = "x".repeat(100_000);
const deepArray = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

/** Values a field is replaced by, one at a time. */
const VALUES: [string, () => unknown][] = [
  ["null", () => null],
  ["empty string", () => ""],
  ["empty array", () => []],
  ["empty object", () => ({})],
  ["zero", () => 0],
  ["negative", () => -1],
  ["huge number", () => 1e308],
  ["-huge number", () => -1e308],
  ["2^63", () => 2 ** 63],
  ["fraction", () => 1.5],
  ["boolean", () => true],
  ["number as text", () => "12"],
  ["long string", () => LONG],
  ["lone surrogate", () => "\ud800"],
  ["bidi and zero-width", () => "\u202e\u200b\u2066abc"],
  ["emoji", () => "😀".repeat(500)],
  ["NUL", () => "a\u0000b"],
  ["../", () => "../../etc/passwd"],
  ["prototype name", () => "__proto__"],
  ["constructor name", () => "constructor"],
  ["object with prototype names", () => ({ constructor: 1, prototype: 2, toString: 3 })],
  ["huge array", () => Array.from({ length: 20_000 }, (_, i) => i)],
  ["array of nulls", () => [null, null]],
  ["nested 80 deep", () => deepArray(80)],
  ["nested 40 deep", () => deepArray(40)],
];

const PATH_VALUES = [
  "../",
  "..%2F..%2Fexports",
  "%00",
  "a%00b",
  "x".repeat(600),
  "__proto__",
  "constructor",
  "😀",
  "%ED%A0%80",
  "a b",
  ".",
];

const encoder = new TextEncoder();

/** Every field of `body` reachable in one or two steps, as paths. */
function fieldPaths(body: unknown): (string | number)[][] {
  const paths: (string | number)[][] = [];
  if (!body || typeof body !== "object") return paths;
  for (const [key, value] of Object.entries(body)) {
    paths.push([key]);
    const inner = Array.isArray(value) ? value[0] : value;
    const base: (string | number)[] = Array.isArray(value) ? [key, 0] : [key];
    if (Array.isArray(value)) paths.push(base);
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      for (const k of Object.keys(inner)) paths.push([...base, k]);
    }
  }
  return paths;
}

function withValue(body: unknown, path: (string | number)[], value: unknown, remove = false): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

/** All cases of one operation (in a stable order); the suite samples them with its seed. */
export function casesFor(doc: unknown, op: Operation, pathValues: Record<string, string>): FuzzCase[] {
  const path = fillPath(op, pathValues);
  const out: FuzzCase[] = [{ op, vector: "the plain request", path }];
  if (op.queryParams.includes("project")) {
    for (const value of [
      "",
      "%00",
      "x".repeat(600),
      "__proto__",
      "%ED%A0%80",
      "a%26project%3Db",
      "ai_etl&project=other",
    ]) {
      out.push({ op, vector: `?project=${value.slice(0, 20)}`, path: `${path}?project=${value}` });
    }
  }
  for (const param of op.pathParams) {
    for (const value of PATH_VALUES) {
      const raw = op.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
        name === param ? value : encodeURIComponent(pathValues[name] ?? "x"),
      );
      out.push({ op, vector: `path {${param}} = ${value.slice(0, 20)}`, path: raw });
    }
  }
  if (!op.body) return out;
  const example = exampleOf(doc, op.body);
  const json = (vector: string, value: unknown): FuzzCase => ({
    op,
    vector,
    path,
    contentType: "application/json",
    body: JSON.stringify(value),
  });
  out.push(json("the example body", example));
  for (const field of fieldPaths(example)) {
    const name = field.join(".");
    out.push(json(`${name} removed`, withValue(example, field, undefined, true)));
    for (const [label, make] of VALUES) out.push(json(`${name} = ${label}`, withValue(example, field, make())));
  }
  out.push(json("an unknown field", { ...(example as object), zzz_unknown: 1 }));
  out.push(json("a JSON array", [example]));
  out.push(json("a JSON string", "just text"));
  const text = JSON.stringify(example);
  const raw = (vector: string, body: string | Uint8Array, contentType = "application/json"): FuzzCase => ({
    op,
    vector,
    path,
    contentType,
    body,
  });
  out.push(
    raw(
      "duplicate keys",
      text.replace(/^\{/, '{"zzz":1,"zzz":2,').replace(/^\{"zzz":1,"zzz":2,\}$/, '{"zzz":1,"zzz":2}'),
    ),
  );
  out.push(
    raw("__proto__ key at the top", text.replace(/^\{/, '{"__proto__":{"polluted":true},').replace(/,\}$/, "}")),
  );
  out.push(raw("__proto__ key inside a field", text.replace(/":\{/, '":{"__proto__":[1],')));
  out.push(raw("truncated JSON", text.slice(0, Math.max(1, Math.floor(text.length / 2)))));
  out.push(raw("invalid UTF-8", new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])));
  out.push(raw("7,000-deep nesting", `${"[".repeat(7000)}1${"]".repeat(7000)}`));
  out.push(raw("empty body", ""));
  out.push(raw("text/plain", text, "text/plain"));
  out.push(
    raw(
      "multipart/form-data",
      "--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--",
      "multipart/form-data; boundary=x",
    ),
  );
  out.push(raw("application/xml", "<a>1</a>", "application/xml"));
  out.push(raw("NUL bytes", encoder.encode(`${text}\u0000\u0000`)));
  return out;
}
