/**
 * What every request gets before its route: an id (Hono's `requestId`,
 * echoing a client's `x-request-id` of word characters, `-` and `=` up to
 * 128 long, else `req_<uuid>`), Server-Timing (Hono's `timing`, with
 * `measure` adding a named span), the clock it started at, and the services.
 */
import type { Context, MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import { timing, wrapTime } from "hono/timing";
import { servicesFor } from "../services/services";
import type { AppEnv } from "./app-env";

export function requestContext(): MiddlewareHandler<AppEnv>[] {
  return [
    requestId({ limitLength: 128, generator: () => `req_${crypto.randomUUID().replaceAll("-", "")}` }),
    timing({ totalDescription: "" }),
    async (c, next) => {
      c.set("startedAt", performance.now());
      c.set("services", servicesFor(c.env));
      await next();
    },
  ];
}

/** Awaits `work`, recording its duration under `name` in Server-Timing. */
export function measure<T>(c: Context<AppEnv>, name: string, work: Promise<T>): Promise<T> {
  return wrapTime(c, name, work);
}

/** Milliseconds since the request arrived (Workers clocks advance across I/O), to 0.01 ms. */
export function elapsedMs(c: Context<AppEnv>): number {
  return Math.round((performance.now() - c.get("startedAt")) * 100) / 100;
}
