// The few Larder API calls the demo loader makes, over plain fetch.

export class ApiError extends Error {
  constructor(method, url, status, text) {
    let code;
    try {
      code = JSON.parse(text)?.error?.code;
    } catch {
      // not JSON
    }
    super(`${method} ${url} → ${status}${code ? ` ${code}` : ""}: ${text.slice(0, 600)}`);
    this.status = status;
    this.code = code;
    this.body = text;
  }
}

/** Waits before each retry of a transient failure: bounded, about 40 s in all. */
const RETRY_DELAYS_MS = [2_000, 5_000, 10_000, 20_000];
const TRANSIENT_STATUSES = new Set([502, 503, 504]);

export class Client {
  constructor(api, token, { onRetry } = {}) {
    this.api = api;
    this.token = token;
    this.onRetry = onRetry;
  }

  /**
   * Sends one request; answers the parsed JSON body; ApiError on a non-2xx
   * answer. A dropped connection or a 502/503/504 (wrangler dev answers 503
   * when the Worker reloads mid-request) is retried after RETRY_DELAYS_MS.
   */
  async call(method, path, { json, body, contentType, timeoutMs = 180_000 } = {}) {
    const url = `${this.api}${path}`;
    const headers = { authorization: `Bearer ${this.token}` };
    if (json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(json);
    } else if (contentType) headers["content-type"] = contentType;
    for (let attempt = 0; ; attempt++) {
      let res;
      let text;
      let failure;
      try {
        res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
        text = await res.text();
      } catch (err) {
        failure = err; // no answer: connection refused or reset, or the timeout
      }
      if (!failure) {
        if (res.ok) return text ? JSON.parse(text) : null;
        failure = new ApiError(method, url, res.status, text);
        if (!TRANSIENT_STATUSES.has(res.status)) throw failure;
      }
      if (attempt >= RETRY_DELAYS_MS.length) throw failure;
      const why =
        failure instanceof ApiError
          ? `${failure.status} ${failure.body.slice(0, 48)}`
          : String(failure.message).slice(0, 80);
      this.onRetry?.(`retrying ${method} ${path} in ${RETRY_DELAYS_MS[attempt] / 1000} s: ${why}`);
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
    }
  }

  ingestParquet(source, bytes) {
    return this.call("POST", `/data-sources/${encodeURIComponent(source)}/ingest`, {
      body: bytes,
      contentType: "application/vnd.apache.parquet",
    });
  }

  materialize(featureViews, startMs, endMs) {
    return this.call("POST", "/materialize", {
      json: {
        feature_views: featureViews,
        start_date: new Date(startMs).toISOString(),
        end_date: new Date(endMs).toISOString(),
      },
    });
  }

  materializationStatus(id) {
    return this.call("GET", `/materialization-status/${encodeURIComponent(id)}`, { timeoutMs: 30_000 });
  }

  writeToOnlineStore(view, df) {
    return this.call("POST", "/feast/write-to-online-store", { json: { feature_view_name: view, df } });
  }

  push(pushSource, rows) {
    return this.call("POST", "/push-features", { json: { push_source_name: pushSource, features: rows } });
  }
}

/** True when the answer says the route itself does not exist (not an unknown object). */
export const isMissingRoute = (err) => err instanceof ApiError && err.status === 404 && err.code === "NOT_FOUND";
