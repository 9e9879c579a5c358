/**
 * What every request gets before its route: an id (Hono's `requestId`,
 * echoing a client's `x-request-id` of word characters, `-` and `=` up to
 * 128 long, else `req_<uuid>`), Server-Timing (Hono's `timing`, with
 * `measure` adding a named span), the clock it started at, and the services.
 */
import type { Context, HonoRequest, MiddlewareHandler } from "hono";
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
      parseJsonOnce(c.req);
      await next();
    },
  ];
}

const parsedBodies = new WeakMap<HonoRequest, Promise<unknown>>();

/**
 * Hono parses a JSON body anew on every `c.req.json()`: parse it once, and
 * keep what was parsed so the shape check (api/router.ts) reads the same
 * value the validator did.
 */
function parseJsonOnce(req: HonoRequest): void {
  const parse = req.json.bind(req);
  req.json = <T>() => {
    let parsed = parsedBodies.get(req);
    if (!parsed) {
      parsed = parse();
      parsedBodies.set(req, parsed);
    }
    return parsed as Promise<T>;
  };
}

/** The JSON body a validator parsed, when one did. */
export function parsedJsonBody(req: HonoRequest): Promise<unknown> | undefined {
  return parsedBodies.get(req);
}

/** Awaits `work`, recording its duration under `name` in Server-Timing. */
export function measure<T>(c: Context<AppEnv>, name: string, work: Promise<T>): Promise<T> {
  return wrapTime(c, name, work);
}

/** Milliseconds since the request arrived (Workers clocks advance across I/O), to 0.01 ms. */
export function elapsedMs(c: Context<AppEnv>): number {
  return Math.round((performance.now() - c.get("startedAt")) * 100) / 100;
}
