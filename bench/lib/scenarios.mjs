// The online suite's scenarios, independent of how requests are sent (HTTP
// with autocannon in bench/online.mjs, in-process calls in the CPU harness):
// for each, Larder's request and its floor's, built over the same entities.
import { distinctSample, entityId, featureValues, prng } from "./data.mjs";
import { JOIN_KEY, keyOf, PROJECT, refs, VIEWS } from "./registry.mjs";

const SINGLE_POOL = 4096; // distinct single-entity request bodies, rotated
const BATCH_POOL = 512; // distinct 100-entity request bodies, rotated
export const BATCH = 100;

const json = (x) => Buffer.from(JSON.stringify(x));

/** Strictly increasing event times (ms) for pushes made during the bench. */
function clock() {
  let last = Date.now();
  return () => (last = Math.max(Date.now(), last + 1));
}

const rotate = (items) => {
  let k = 0;
  return () => items[k++ % items.length];
};

/**
 * Scenarios over `n` loaded entities per view. Each has `larder` and `floor`
 * targets {method, path, headers, next}: `next()` makes a request source,
 * a function returning {path?, body?, tag?} per request. Push scenarios log
 * every request they build in `sent` ({ids, ts, status}).
 */
export function buildScenarios({ n, reader, writer, seed = 42 }) {
  const rand = prng(seed);
  const singles = Array.from({ length: SINGLE_POOL }, () => [Math.floor(rand() * n)]);
  const batches = Array.from({ length: BATCH_POOL }, () => distinctSample(rand, n, BATCH));
  const readHeaders = { "content-type": "application/json", authorization: `Bearer ${reader}` };
  const writeHeaders = { "content-type": "application/json", authorization: `Bearer ${writer}` };
  const floorHeaders = { "content-type": "application/json" };
  const onlinePath = `/api/v1/features/online-features?project=${PROJECT}`;
  const pushPath = `/api/v1/features/push-features?project=${PROJECT}`;

  const readScenario = (id, label, view, idSets, floorLabel) => {
    const single = idSets[0].length === 1;
    const larderBodies = idSets.map((ids) => ({
      body: json({ features: refs(view), entities: { [JOIN_KEY]: ids.map(entityId) } }),
    }));
    const floorRequests = single
      ? idSets.map((ids) => ({ path: `/get?key=${encodeURIComponent(keyOf(view, ids[0]))}` }))
      : idSets.map((ids) => ({ body: json({ keys: ids.map((i) => keyOf(view, i)) }) }));
    return {
      id,
      label,
      view,
      idSets,
      larder: { method: "POST", path: onlinePath, headers: readHeaders, next: () => rotate(larderBodies) },
      floor: {
        label: floorLabel,
        method: single ? "GET" : "POST",
        path: single ? "/get" : "/bulk-get",
        headers: floorHeaders,
        next: () => rotate(floorRequests),
      },
    };
  };

  // Pushes: consecutive entities from one rotating cursor (no key is written
  // twice within a second), fresh event times so every row is newer and written.
  const view = VIEWS.v4;
  const now = clock();
  let cursor = 0;
  const takeIds = (rows) => {
    const ids = Array.from({ length: rows }, (_, j) => (cursor + j) % n);
    cursor = (cursor + rows) % n;
    return ids;
  };
  const pushScenario = (id, label, rows, floorLabel) => {
    const sent = [];
    const source = (makeBody) => () => () => {
      const ids = takeIds(rows);
      const ts = now();
      const tag = { ids, ts, status: null };
      sent.push(tag);
      return { tag, body: json(makeBody(ids, ts)) };
    };
    return {
      id,
      label,
      view,
      sent,
      larder: {
        method: "POST",
        path: pushPath,
        headers: writeHeaders,
        next: source((ids, ts) => {
          const iso = new Date(ts).toISOString();
          return {
            push_source_name: view.push,
            to: "online",
            features: ids.map((i) => ({
              [JOIN_KEY]: entityId(i),
              event_timestamp: iso,
              features: featureValues(view.schema, i, ts),
            })),
          };
        }),
      },
      floor: {
        label: floorLabel,
        method: "POST",
        path: "/put",
        headers: floorHeaders,
        next: source((ids, ts) => ({
          entries: ids.map((i) => ({
            key: keyOf(view, i),
            value: { e: ts, c: null, v: featureValues(view.schema, i, ts) },
          })),
        })),
      },
    };
  };

  return [
    readScenario("online_1x4", "Online read: 1 entity × 4 features", VIEWS.v4, singles, "KV get ×1"),
    readScenario(
      "online_100x4",
      "Online read: 100 entities × 4 features",
      VIEWS.v4,
      batches,
      "KV bulk get ×100 (4-feature records)",
    ),
    readScenario(
      "online_100x50",
      "Online read: 100 entities × 50 features",
      VIEWS.v50,
      batches,
      "KV bulk get ×100 (50-feature records)",
    ),
    pushScenario("push_1", "Push 1 row (to online)", 1, "KV put ×1"),
    pushScenario("push_100", "Push 100 rows (to online)", 100, "KV put ×100 (parallel)"),
  ];
}
