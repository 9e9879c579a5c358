/**
 * Requests built from an OpenAPI 3.1 document, for suites that must cover
 * every route without listing them (tenancy, fuzzing): the operations, the
 * example body of an operation (from the schema's examples, defaults and
 * types), and request URLs with path parameters filled. Pure.
 */

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are loosely typed JSON.
type Json = any;

export interface Operation {
  method: string;
  /** OpenAPI path, e.g. `/feature-views/{name}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** The JSON request body schema, when the operation takes one. */
  body?: Json;
  /** No bearer token needed (`security: []`). */
  open: boolean;
  /** `METHOD /path`, for messages. */
  id: string;
}

export function operations(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const params: Json[] = op.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
        body: op.requestBody?.content?.["application/json"]?.schema,
        open: Array.isArray(op.security) && op.security.length === 0,
        id: `${method.toUpperCase()} ${path}`,
      });
    }
  }
  return out;
}

/** Follows `$ref`s into `components`. */
export function resolve(doc: Json, schema: Json): Json {
  let s = schema;
  for (let i = 0; s?.$ref && i < 32; i++) {
    const name = String(s.$ref).replace(/^#\/components\/schemas\//, "");
    s = doc.components?.schemas?.[name];
  }
  return s ?? {};
}

/**
 * A plausible value of `schema`: its example or default when it has one,
 * else one built from its type (objects with their required properties and
 * any property that has an example; arrays of one element).
 */
export function exampleOf(doc: Json, schema: Json, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (depth > 12) return null;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if (s.const !== undefined) return s.const;
  const variants = s.anyOf ?? s.oneOf;
  if (Array.isArray(variants)) {
    const first = variants.find((v: Json) => resolve(doc, v).type !== "null") ?? variants[0];
    return exampleOf(doc, first, depth + 1);
  }
  if (Array.isArray(s.allOf)) return Object.assign({}, ...s.allOf.map((p: Json) => exampleOf(doc, p, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(s.required ?? []);
      for (const [name, prop] of Object.entries<Json>(s.properties ?? {})) {
        const p = resolve(doc, prop);
        if (required.has(name) || p.example !== undefined) out[name] = exampleOf(doc, prop, depth + 1);
      }
      return out;
    }
    case "array":
      return s.items ? [exampleOf(doc, s.items, depth + 1)] : [];
    case "string":
      return s.format === "date-time" ? "2024-01-15T10:00:00Z" : "x";
    case "integer":
    case "number":
      return s.minimum ?? 1;
    case "boolean":
      return false;
    default:
      return null;
  }
}

/** The names of the top-level properties of the operation's body schema. */
export function bodyProperties(doc: Json, op: Operation): string[] {
  return op.body ? Object.keys(resolve(doc, op.body).properties ?? {}) : [];
}

/** The operation's path with its parameters filled (URL-encoded). */
export function fillPath(op: Operation, values: Record<string, string>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? "x"));
}
