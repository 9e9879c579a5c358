/** Middleware giving every request an id and timings, and every response both headers. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { Timing } from "./timing";

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const requestId = given && CLIENT_ID.test(given) ? given : `req_${crypto.randomUUID().replaceAll("-", "")}`;
    c.set("requestId", requestId);
    c.set("timing", new Timing());
    await next();
    c.header("x-request-id", requestId);
    c.header("Server-Timing", c.get("timing").header());
  };
}
