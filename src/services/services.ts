/**
 * The services every entry point (routes, queue consumers, cron, RPC) works
 * with, built once per set of bindings and handed to routes through the Hono
 * context (`c.get("services")`). Nothing else constructs stores.
 */
import { type Database, database } from "../db/database";
import { ExportStore } from "../offline/exports";
import type { OfflineStore } from "../offline/offline-store";
import { R2OfflineStore } from "../offline/r2-offline-store";
import { ScratchFiles } from "../offline/scratch-files";
import { KvOnlineStore } from "../online/kv-store";
import type { OnlineStore } from "../online/store";
import type { Bindings } from "../platform/bindings";
import { type LarderConfig, readConfig } from "../platform/config";
import { RegistryService } from "../registry/service";

export interface Services {
  config: LarderConfig;
  db: Database;
  registry: RegistryService;
  online: OnlineStore;
  offline: OfflineStore;
  exports: ExportStore;
  scratch: ScratchFiles;
  queues: {
    /** Tasks a request starts (MATERIALIZE). */
    tasks: Queue;
    /** Tasks that tasks start (MATERIALIZE_FANOUT): a consumer never sends to the queue it consumes. */
    fanout: Queue;
    /** Pushed rows on their way to Parquet (OFFLINE_WRITES). */
    offlineWrites: Queue;
  };
}

/** Built services by bindings object: workerd hands an isolate the same `env` on every request. */
const built = new WeakMap<Bindings, Services>();

export function servicesFor(env: Bindings): Services {
  let services = built.get(env);
  if (!services) {
    services = buildServices(env);
    built.set(env, services);
  }
  return services;
}

function buildServices(env: Bindings): Services {
  const config = readConfig(env);
  const db = database(env.DB);
  return {
    config,
    db,
    registry: new RegistryService(db, env.REGISTRY_CACHE, config.registryCacheTtlMs, config.externalPrefixes),
    online: new KvOnlineStore(env.ONLINE_STORE),
    offline: new R2OfflineStore(env.OFFLINE_STORE, db, config.externalPrefixes, config.offlineBuckets),
    exports: new ExportStore(env.OFFLINE_STORE, db),
    scratch: new ScratchFiles(env.OFFLINE_STORE),
    queues: { tasks: env.MATERIALIZE, fanout: env.MATERIALIZE_FANOUT, offlineWrites: env.OFFLINE_WRITES },
  };
}
