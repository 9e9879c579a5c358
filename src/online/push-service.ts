/**
 * A push: validate every row, send the accepted ones to the offline queue
 * (when `to` includes offline), then write them online with newest-wins
 * (when `to` includes online). The offline send comes first so that a row
 * reported accepted is never missing from the offline store.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { forwardOffline, offlineMessages } from "./offline-forward";
import { pushTarget, validatePushRows, type PushError, type PushTarget } from "./push";
import type { OnlineStore } from "./store";

export type PushDestination = "online" | "offline" | "online_and_offline";

export interface PushOutcome {
  push_id: string;
  accepted: number;
  rejected: number;
  errors: PushError[];
  written_online: number;
}

export function newPushId(): string {
  return `push_${Date.now().toString(36)}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

export interface PushDeps {
  store: OnlineStore;
  offlineQueue: Queue;
}

/** Validates and writes. With `allOrNothing`, any rejected row rejects the whole push (Feast's behaviour). */
export async function pushRows(
  deps: PushDeps,
  registry: CompiledRegistry,
  target: PushTarget | string,
  rows: readonly unknown[],
  to: PushDestination,
  now: number,
  options: { allOrNothing?: boolean } = {},
): Promise<PushOutcome> {
  const resolved = typeof target === "string" ? pushTarget(registry, target) : target;
  const { accepted, errors } = validatePushRows(registry, resolved, rows, now);
  const pushId = newPushId();
  const writeNothing = options.allOrNothing && errors.length > 0;
  let writtenOnline = 0;
  if (!writeNothing && accepted.length > 0) {
    if (to !== "online")
      await forwardOffline(
        deps.offlineQueue,
        offlineMessages(registry.project, resolved.source.batch_source, pushId, accepted),
      );
    if (to !== "offline") writtenOnline = (await deps.store.write(accepted.flatMap((r) => r.writes))).written;
  }
  return {
    push_id: pushId,
    accepted: writeNothing ? 0 : accepted.length,
    rejected: writeNothing ? rows.length : errors.length,
    errors,
    written_online: writtenOnline,
  };
}
