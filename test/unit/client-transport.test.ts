/** The client's transport in Node: base URLs, failures with no answer, and the binding error decoder. */
import net from "node:net";
import { describe, expect, it } from "vitest";
import { bindingError, LarderApiError, LarderClient } from "../../src/client";
import { encodeBindingError } from "../../src/client/binding";

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("LarderClient transport", () => {
  it("accepts an origin with or without the API prefix", () => {
    expect(new LarderClient({ baseUrl: "http://127.0.0.1:8787/" }).origin).toBe("http://127.0.0.1:8787");
    expect(new LarderClient({ baseUrl: "http://h:1/api/v1/features" }).origin).toBe("http://h:1");
    expect(() => new LarderClient({ baseUrl: "nope" })).toThrow(TypeError);
  });

  it("an unreachable server is a NETWORK_ERROR with status 0 and the client's request id", async () => {
    const port = await closedPort();
    const larder = new LarderClient({ baseUrl: `http://127.0.0.1:${port}`, token: "t" });
    const err = await larder.listFeatureViews().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LarderApiError);
    expect(err).toMatchObject({ status: 0, code: "NETWORK_ERROR" });
    expect((err as LarderApiError).message).toContain(`Cannot reach Larder at http://127.0.0.1:${port}`);
    expect((err as LarderApiError).requestId).toMatch(/^lc_/);
  });

  it("no answer within timeoutMs is a TIMEOUT; a caller's abort is ABORTED", async () => {
    const hang = (request: Request) =>
      new Promise<Response>((_, reject) =>
        request.signal.addEventListener("abort", () => reject(request.signal.reason)),
      );
    const slow = new LarderClient({ baseUrl: "http://larder.test", fetch: hang, timeoutMs: 20 });
    expect(await slow.health().catch((e: LarderApiError) => e.code)).toBe("TIMEOUT");
    const controller = new AbortController();
    const aborted = new LarderClient({ baseUrl: "http://larder.test", fetch: hang, timeoutMs: 0 });
    const pending = aborted.health({ signal: controller.signal }).catch((e: LarderApiError) => e.code);
    controller.abort();
    expect(await pending).toBe("ABORTED");
  });

  it("an answer that is not Larder's: HTTP_<status> or BAD_RESPONSE", async () => {
    const html = async () => new Response("<html>bad gateway</html>", { status: 502 });
    const err = await new LarderClient({ baseUrl: "http://x", fetch: html }).health().catch((e: LarderApiError) => e);
    expect(err).toMatchObject({ status: 502, code: "HTTP_502" });
    const notJson = async () => new Response("<html>ok</html>", { status: 200 });
    expect(
      await new LarderClient({ baseUrl: "http://x", fetch: notJson }).health().catch((e: LarderApiError) => e.code),
    ).toBe("BAD_RESPONSE");
  });
});

describe("bindingError", () => {
  it("reads back what the entrypoint encodes, and ignores other errors", () => {
    const message = encodeBindingError({
      code: "FORBIDDEN",
      message: "no",
      details: { project: "p" },
      requestId: "rpc_1",
    });
    const decoded = bindingError(new Error(message));
    expect(decoded).toMatchObject({ code: "FORBIDDEN", message: "no", details: { project: "p" }, requestId: "rpc_1" });
    expect(bindingError(new Error("TypeError: something else"))).toBeUndefined();
    expect(bindingError(new Error(`x\nlarder-error {not json`))).toBeUndefined();
  });
});

describe("larder/client stays runtime-neutral", () => {
  it("imports nothing at run time but its own modules (schemas and domain as types only)", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const dir = new URL("../../src/client/", import.meta.url);
    const offending: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(new URL(file, dir), "utf8");
      for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gm)) {
        const [, , typeOnly, spec] = m;
        if (!spec.startsWith("./") && !typeOnly) offending.push(`${file}: ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
