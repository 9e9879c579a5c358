/**
 * Pushes: validate every row, send the accepted ones to the offline queue
 * (when `to` includes offline), then write them online with newest-wins
 * (when `to` includes online). The offline send comes first so that a row
 * reported accepted is never missing from the offline store. Also Feast's
 * two write routes, which are pushes in another shape.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { invalid } from "../domain/errors";
import { type Df, dfRows, pushLayout, rowsRejected, viewLayout } from "../domain/feast-df";
import { type PushDestination, type PushTarget, pushTarget, validatePushRows } from "../domain/push-rows";
import type { RowRejection } from "../domain/row-rejection";
import { MATERIALIZATION_WRITER } from "../domain/entity-key";
import { newWriteId } from "../domain/write-version";
import { forwardOffline, offlineMessages } from "../queues/offline-writes";
import type { Services } from "./services";
import { acceptTime } from "./write-clock";

export interface PushOutcome {
  push_id: string;
  accepted: number;
  rejected: number;
  errors: RowRejection[];
  written_online: number;
}

function newPushId(): string {
  return `push_${Date.now().toString(36)}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

/** Validates and writes. With `allOrNothing`, any rejected row rejects the whole push (Feast's behaviour). */
export async function pushRows(
  services: Pick<Services, "online" | "queues">,
  registry: CompiledRegistry,
  target: PushTarget | string,
  rows: readonly unknown[],
  to: PushDestination,
  now: number,
  options: { allOrNothing?: boolean } = {},
): Promise<PushOutcome> {
  const resolved = typeof target === "string" ? pushTarget(registry, target) : target;
  const stamp = { now: acceptTime(now), writeId: newWriteId() };
  const { accepted, errors } = validatePushRows(registry, resolved, rows, stamp);
  const pushId = newPushId();
  const writeNothing = options.allOrNothing && errors.length > 0;
  let writtenOnline = 0;
  if (!writeNothing && accepted.length > 0) {
    if (to !== "online") {
      const messages = offlineMessages(registry.project, resolved.source.batch_source, pushId, accepted);
      await forwardOffline(services.queues.offlineWrites, messages);
    }
    if (to !== "offline") writtenOnline = (await services.online.write(accepted.flatMap((r) => r.writes))).written;
  }
  return {
    push_id: pushId,
    accepted: writeNothing ? 0 : accepted.length,
    rejected: writeNothing ? rows.length : errors.length,
    errors,
    written_online: writtenOnline,
  };
}

/** Feast's push: a columnar df to a push source, all rows or none (VALIDATION_ERROR naming the bad rows). */
export async function feastPush(
  services: Services,
  registry: CompiledRegistry,
  request: { push_source_name: string; df: Df; to: PushDestination },
  now: number,
): Promise<void> {
  const target = pushTarget(registry, request.push_source_name);
  const rows = dfRows(request.df, pushLayout(registry, target));
  if (rows.length === 0) return;
  const outcome = await pushRows(services, registry, target, rows, request.to, now, { allOrNothing: true });
  if (outcome.errors.length > 0) throw rowsRejected(outcome.errors, rows.length);
}

/**
 * Feast's write-to-online-store: a columnar df written to one online view,
 * all rows or none, into materialization's record (as Feast's own
 * materialization would write it), feature by feature newest-wins; nothing
 * goes to the offline store.
 */
export async function writeToOnlineStore(
  services: Services,
  registry: CompiledRegistry,
  request: { feature_view_name: string; df: Df },
  now: number,
): Promise<void> {
  const view = registry.view(request.feature_view_name);
  if (!view.def.online) {
    throw invalid(`Feature view '${view.def.name}' is not online (online: false)`, { feature_view: view.def.name });
  }
  const rows = dfRows(request.df, viewLayout(registry, view));
  if (rows.length === 0) return;
  // The view as the only target: the push row rules (keys, timestamps, dtypes) apply unchanged.
  const target: PushTarget = {
    source: { name: view.def.source, type: "push", batch_source: view.def.source, description: "", tags: {} },
    views: [view],
    joinKeys: view.joinKeys,
    writerTag: MATERIALIZATION_WRITER,
  };
  const stamp = { now: acceptTime(now), writeId: newWriteId() };
  const { accepted, errors } = validatePushRows(registry, target, rows, stamp);
  if (errors.length > 0) throw rowsRejected(errors, rows.length);
  await services.online.write(accepted.flatMap((r) => r.writes));
}
