/** Hono's environment for the app: the bindings and the per-request variables. */
import type { RequestIdVariables } from "hono/request-id";
import type { TimingVariables } from "hono/timing";
import type { Principal } from "../auth/scopes";
import type { Bindings } from "../platform/bindings";
import type { Services } from "../services/services";

export interface AppEnv {
  Bindings: Bindings;
  Variables: RequestIdVariables &
    TimingVariables & {
      /** performance.now() when the request arrived (Workers clocks advance across I/O). */
      startedAt: number;
      services: Services;
      principal: Principal;
      /** The project the request works on (`?project=`, else DEFAULT_PROJECT). */
      project: string;
    };
}
