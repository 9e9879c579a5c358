/** Bodies over the configured limit (MAX_BODY_BYTES, default 10 MB) get PAYLOAD_TOO_LARGE before any handler reads them. */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { LarderError } from "../domain/errors";
import type { AppEnv } from "./app-env";

export function limitBody(): MiddlewareHandler<AppEnv> {
  // One limiter per configured size, built once, not per request.
  const limiters = new Map<number, MiddlewareHandler<AppEnv>>();
  return (c, next) => {
    const maxSize = c.get("services").config.maxBodyBytes;
    let limiter = limiters.get(maxSize);
    if (!limiter) {
      limiter = bodyLimit({
        maxSize,
        onError: () => {
          throw new LarderError("PAYLOAD_TOO_LARGE", `Request body is over the ${maxSize}-byte limit`, {
            max_bytes: maxSize,
          });
        },
      });
      limiters.set(maxSize, limiter);
    }
    return limiter(c, next);
  };
}
