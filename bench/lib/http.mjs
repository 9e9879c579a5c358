// Plain HTTP for the bench's long requests.
import http from "node:http";

/**
 * Sends a request on a fresh connection (closed after the answer): local
 * workerd drops kept-alive connections after requests of several seconds,
 * and load pushes and ingest bodies are such requests. Resolves {status, text}.
 */
export function requestOnce(url, headers, body, timeoutMs = 600_000, method = "POST") {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        agent: false,
        timeout: timeoutMs,
        headers: { ...headers, connection: "close", ...(body ? { "content-length": Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}
