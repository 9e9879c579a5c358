/** Schemas shared by every route: the error envelope, names, tags. */
import { z } from "@hono/zod-openapi";
import { isValidName, NAME_MAX_LENGTH, NAME_PATTERN, NAME_RULE } from "../domain/names";

export const Name = z
  .string()
  .min(1)
  .max(NAME_MAX_LENGTH)
  .regex(NAME_PATTERN, `use ${NAME_RULE}`)
  .refine((name) => isValidName(name), `use ${NAME_RULE}`);
export const Tags = z.record(z.string(), z.string()).openapi({ example: { team: "data-science" } });

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "FEATURE_VIEW_NOT_FOUND" }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
    request_id: z.string(),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

/** The error responses every authenticated route can give. */
export const commonErrors = {
  400: errorResponse("Invalid request (VALIDATION_ERROR, MALFORMED_JSON)"),
  401: errorResponse("Missing, malformed, expired or wrongly signed token"),
  403: errorResponse("Token lacks the scope or the project"),
} as const;

export const notFound = { 404: errorResponse("Not found") } as const;
export const conflict = { 409: errorResponse("Conflict: still referenced, or changed concurrently") } as const;
export const tooLarge = { 413: errorResponse("Body over the size limit") } as const;
export const rangeNotSatisfiable = {
  416: errorResponse("Range unsatisfiable or malformed (Content-Range: bytes */<size>)"),
} as const;

export const ProjectQuery = z.object({
  project: Name.optional().openapi({ description: "Project; defaults to the configured DEFAULT_PROJECT" }),
});

export function jsonBody<T extends z.ZodType>(schema: T, description = "") {
  return { body: { content: { "application/json": { schema } }, required: true, description } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
