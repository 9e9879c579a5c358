import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      AUTH_JWT_SECRET: string;
      LARDER_FUZZ_REQUESTS: string;
      LARDER_FUZZ_SEED: string;
      /** The inference Worker of test/integration/binding/, bound to Larder's Features entrypoint. */
      INFERENCE: Fetcher;
    }
    interface GlobalProps {
      mainModule: typeof import("../../src/index");
    }
  }
}
