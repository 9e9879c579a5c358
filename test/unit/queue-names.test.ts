/** The queue contract: wrangler.toml declares exactly the queues src/queues/names.ts names. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { QUEUES } from "../../src/queues/names";

const toml = readFileSync(path.join(import.meta.dirname, "../../wrangler.toml"), "utf8");

/** The `queue = "..."` of every table of one kind (`[[queues.producers]]` or `[[queues.consumers]]`). */
function queues(kind: "producers" | "consumers"): string[] {
  return toml
    .split(/^\[\[/m)
    .filter((block) => block.startsWith(`queues.${kind}]]`))
    .map((block) => /^queue\s*=\s*"([^"]+)"/m.exec(block)?.[1] ?? "");
}

describe("queue names", () => {
  it("every consumer in wrangler.toml is a queue Larder dispatches, and the other way round", () => {
    expect(queues("consumers").sort()).toEqual(Object.values(QUEUES).sort());
  });

  it("every producer sends to a queue Larder consumes", () => {
    for (const q of queues("producers")) expect(Object.values(QUEUES)).toContain(q);
  });

  it("dead-letter queues of the consumers are the contract's", () => {
    const dlqs = [...toml.matchAll(/dead_letter_queue\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(dlqs)).toEqual(new Set([QUEUES.tasksDeadLetter, QUEUES.offlineWritesDeadLetter]));
  });
});
