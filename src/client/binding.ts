/**
 * The service-binding side of the client: the methods Larder's `Features`
 * entrypoint offers to Workers on the same account, and how its errors
 * cross the RPC boundary.
 *
 * Workers RPC keeps only an error's message (not its name, `cause` or own
 * properties), so the entrypoint throws a plain Error whose message is
 * `CODE: message`, followed on a line of its own by `larder-error <json>`
 * holding the code, details and request id. `bindingError` reads that back
 * as a `LarderApiError`; `larderBinding` wraps a binding so that every call
 * rejects with one, as the HTTP client does.
 *
 *   // wrangler config of the inference Worker:
 *   // services = [{ binding = "FEATURES", service = "larder", entrypoint = "Features" }]
 *   const features = larderBinding(env.FEATURES);
 *   const { features: values } = await features.getOnlineFeatures({ features: ["customer:age"],
 *     entities: { customer_id: ["cust_12345"] } });
 */
import { LarderApiError } from "./errors";
import type * as T from "./types";

/** A historical request small enough to answer inline: no jobs, no export file. */
export type BindingHistoricalRequest = Omit<T.HistoricalRequest, "async">;

/** The joined rows, every one of them, in entity_df order, with the HTTP answer's metadata (no write step). */
export interface BindingHistoricalResponse {
  feature_service?: string;
  data: T.HistoricalResponse["data"];
  metadata: Omit<T.HistoricalResponse["metadata"], "timings"> & {
    timings: Omit<T.HistoricalResponse["metadata"]["timings"], "write_ms">;
  };
}

/** What `env.FEATURES` offers when bound to Larder's `Features` entrypoint. */
export interface FeaturesBinding {
  getOnlineFeatures(request: T.OnlineFeaturesRequest): Promise<T.OnlineFeaturesResponse>;
  pushFeatures(request: T.PushRequest): Promise<T.PushResponse>;
  getHistoricalFeatures(request: BindingHistoricalRequest): Promise<BindingHistoricalResponse>;
}

/** The marker of the machine-readable line of an entrypoint error's message. */
export const BINDING_ERROR_MARKER = "larder-error ";

/** The message the entrypoint throws for a coded failure (see the module doc). */
export function encodeBindingError(e: {
  code: string;
  message: string;
  details: Record<string, unknown>;
  requestId: string;
}): string {
  const payload = JSON.stringify({ code: e.code, message: e.message, details: e.details, request_id: e.requestId });
  return `${e.code}: ${e.message}\n${BINDING_ERROR_MARKER}${payload}`;
}

/** The LarderApiError an entrypoint call rejected with, or undefined when `err` is not one of Larder's. */
export function bindingError(err: unknown): LarderApiError | undefined {
  if (err instanceof LarderApiError) return err;
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  const line = message.split("\n").find((l) => l.startsWith(BINDING_ERROR_MARKER));
  if (!line) return undefined;
  try {
    const parsed = JSON.parse(line.slice(BINDING_ERROR_MARKER.length)) as {
      code: string;
      message: string;
      details?: Record<string, unknown>;
      request_id?: string;
    };
    return new LarderApiError({
      status: 0,
      code: parsed.code,
      message: parsed.message,
      details: parsed.details ?? {},
      requestId: parsed.request_id ?? null,
      cause: err,
    });
  } catch {
    return undefined;
  }
}

async function decoded<R>(call: () => Promise<R>): Promise<R> {
  try {
    return await call();
  } catch (err) {
    throw bindingError(err) ?? err;
  }
}

/** Wraps a service binding to `Features` so that its calls reject with a LarderApiError. */
export function larderBinding(binding: FeaturesBinding): FeaturesBinding {
  return {
    getOnlineFeatures: (request) => decoded(() => binding.getOnlineFeatures(request)),
    pushFeatures: (request) => decoded(() => binding.pushFeatures(request)),
    getHistoricalFeatures: (request) => decoded(() => binding.getHistoricalFeatures(request)),
  };
}
