// An inference Worker as a Larder user writes one: it declares service
// bindings to Larder's `Features` entrypoint (configured in vitest.config.ts,
// as `services = [...]` would in its wrangler config) and calls them.
// POST {"binding": "FEATURES", "method": "getOnlineFeatures", "request": {...}}
// answers {"ok": true, "result"} or {"ok": false, "error": {"name", "message"}}
// with what crossed the RPC boundary, so tests see exactly what a caller sees.
export default {
  async fetch(request, env) {
    const { binding, method, request: body } = await request.json();
    try {
      const result = await env[binding][method](body);
      return Response.json({ ok: true, result });
    } catch (err) {
      return Response.json({ ok: false, error: { name: err.name, message: err.message } });
    }
  },
};
