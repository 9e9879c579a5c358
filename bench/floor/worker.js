/**
 * The floor for Larder's online and push benchmarks: the least a Worker can do
 * to serve the same request from the same KV data. Per request it parses the
 * keys (and values) it is given, makes the KV call(s) Larder's store makes
 * (`get(key, "json")`, bulk `get(keys, "json")`, `put(key, string)`), and
 * returns what it read as JSON (a server has to send the values somewhere).
 * No auth, no registry, no validation, no newest-wins read before a write.
 *
 *   GET  /health                              → "ok"
 *   GET  /get?key=<kv key>                    → the record (JSON) or 404 when absent
 *   POST /bulk-get  {"keys":[...≤100]}        → {key: record|null}
 *   POST /put       {"entries":[{key,value}]} → {"written":n}  (value: a record; stored as JSON text)
 */
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/get": {
        const value = await env.KV.get(url.searchParams.get("key") ?? "", "json");
        if (value === null)
          return new Response("null", { status: 404, headers: { "content-type": "application/json" } });
        return Response.json(value);
      }
      case "/bulk-get": {
        const { keys } = await request.json();
        const found = await env.KV.get(keys, "json");
        return Response.json(Object.fromEntries(found));
      }
      case "/put": {
        const { entries } = await request.json();
        await Promise.all(entries.map((e) => env.KV.put(e.key, JSON.stringify(e.value))));
        return Response.json({ written: entries.length });
      }
      case "/health":
        return new Response("ok");
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
