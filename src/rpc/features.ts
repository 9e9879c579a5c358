/**
 * `Features`: the named `WorkerEntrypoint` that inference Workers on the same
 * account call through a service binding, with no HTTP hop and no token:
 *
 *   services = [{ binding = "FEATURES", service = "larder", entrypoint = "Features",
 *                 props = { project = "ai_etl" } }]
 *   const answer = await env.FEATURES.getOnlineFeatures({ features: ["customer:age"],
 *     entities: { customer_id: ["cust_12345"] } });
 *
 * Each method runs the HTTP route's service code (see calls.ts) for the
 * project the binding's configuration fixes (see access.ts for the trust
 * model). Failures reject with an Error whose message is `CODE: message`
 * plus a `larder-error {json}` line; `larderBinding()` of `larder/client`
 * turns it back into a `LarderApiError`.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { assertAllowed, assertCanPush } from "../auth/scopes";
import type { BindingHistoricalRequest, BindingHistoricalResponse, FeaturesBinding } from "../client/binding";
import { encodeBindingError } from "../client/binding";
import type * as T from "../client/types";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { LarderError } from "../domain/errors";
import type { Bindings } from "../platform/bindings";
import { type Services, servicesFor } from "../services/services";
import { type BindingAccess, bindingAccess, type FeaturesProps, refuseProjectArgument } from "./access";
import { historical, onlineFeatures, parsed, push, PushRequest } from "./calls";

interface CallContext extends BindingAccess {
  services: Services;
  registry: CompiledRegistry;
  started: number;
}

/** The error a caller receives: coded errors as they are, anything else INTERNAL (logged here, never shown). */
function toBindingError(err: unknown, requestId: string, method: string): Error {
  const coded =
    err instanceof LarderError
      ? err
      : new LarderError("INTERNAL", "Internal error; the request id identifies it in the logs", {}, { cause: err });
  if (coded.code === "INTERNAL")
    console.error(`binding call ${requestId} (${method}): ${coded.message}`, coded.cause ?? coded);
  return new Error(encodeBindingError({ code: coded.code, message: coded.message, details: coded.details, requestId }));
}

export class Features extends WorkerEntrypoint<Bindings, FeaturesProps> implements FeaturesBinding {
  /** Resolves who the call acts as and the project's registry, runs `work`, and encodes failures. Private (`#`): not callable over RPC. */
  async #call<R>(method: string, request: unknown, work: (ctx: CallContext) => Promise<R>): Promise<R> {
    const started = performance.now();
    const requestId = `rpc_${crypto.randomUUID().replaceAll("-", "")}`;
    try {
      const services = servicesFor(this.env);
      const access = bindingAccess(services.config, this.ctx.props);
      refuseProjectArgument(request);
      const registry = await services.registry.current(access.project);
      return await work({ ...access, services, registry, started });
    } catch (err) {
      throw toBindingError(err, requestId, method);
    }
  }

  /** The online read of POST /online-features, same request and answer. */
  async getOnlineFeatures(request: T.OnlineFeaturesRequest): Promise<T.OnlineFeaturesResponse> {
    return this.#call("getOnlineFeatures", request, async (ctx) => {
      assertAllowed(ctx.principal, "online:read", ctx.project);
      return onlineFeatures(ctx.services, ctx.registry, request, ctx.started);
    });
  }

  /** The push of POST /push-features, same request and answer (bad rows in `errors`). */
  async pushFeatures(request: T.PushRequest): Promise<T.PushResponse> {
    return this.#call("pushFeatures", request, async (ctx) => {
      const body = parsed(PushRequest, request);
      assertCanPush(ctx.principal, ctx.project, body.to);
      return push(ctx.services, ctx.registry, body, ctx.started);
    });
  }

  /** Point-in-time-correct rows for at most 1,000 entity rows, all inline (no jobs, no export). */
  async getHistoricalFeatures(request: BindingHistoricalRequest): Promise<BindingHistoricalResponse> {
    return this.#call("getHistoricalFeatures", request, async (ctx) => {
      assertAllowed(ctx.principal, "offline:read", ctx.project);
      return historical(ctx.services, ctx.registry, request, ctx.started);
    });
  }
}
