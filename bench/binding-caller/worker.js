/**
 * The binding bench's caller: an inference Worker that reads the same
 * features two ways, so the bench compares them in one run:
 *   POST /binding  {online-features body} → env.FEATURES.getOnlineFeatures(body) (service binding, RPC)
 *   POST /http     {online-features body} → fetch(LARDER_URL/api/v1/features/online-features) with a token
 *   POST /loop     {mode: "binding"|"http", bodies: [...], n} → n sequential calls of one mode, each timed
 *                  inside this Worker (performance.now() advances across I/O); answers {times_ms: [...]}
 *   GET  /health   → "ok"
 */
async function viaBinding(env, body) {
  return env.FEATURES.getOnlineFeatures(body);
}

async function viaHttp(env, body) {
  const res = await fetch(`${env.LARDER_URL}/api/v1/features/online-features?project=bench`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.LARDER_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`HTTP route answered ${res.status}: ${await res.text()}`);
  return res.json();
}

const MODES = { binding: viaBinding, http: viaHttp };

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/health") return new Response("ok");
      const input = await request.json();
      if (url.pathname === "/binding" || url.pathname === "/http") {
        return Response.json(await MODES[url.pathname.slice(1)](env, input));
      }
      if (url.pathname === "/loop") {
        const call = MODES[input.mode];
        const times = [];
        for (let i = 0; i < input.n; i++) {
          const started = performance.now();
          await call(env, input.bodies[i % input.bodies.length]);
          times.push(performance.now() - started);
        }
        return Response.json({ times_ms: times });
      }
      return new Response("not found", { status: 404 });
    } catch (err) {
      return Response.json({ error: String(err?.message ?? err) }, { status: 500 });
    }
  },
};
