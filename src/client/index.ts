/**
 * `larder/client`: the typed client of Larder's HTTP API and of its
 * service-binding entrypoint. Runs in Node 20+, browsers and Workers; imports
 * nothing at run time but its own modules (types come from the server's
 * schemas, erased at build time).
 */
export { LarderClient } from "./client";
export { LarderApiError, type LarderApiErrorInit, type LarderErrorCode } from "./errors";
export { isHistoricalJob, type FollowOptions, type HistoricalOutcome } from "./follow";
export { API_PREFIX, type CallOptions, type LarderClientOptions } from "./transport";
export {
  bindingError,
  larderBinding,
  type BindingHistoricalRequest,
  type BindingHistoricalResponse,
  type FeaturesBinding,
} from "./binding";
export type * from "./types";
