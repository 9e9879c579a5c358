/**
 * Queues in tests. The MATERIALIZE queues: sends are captured (not delivered by
 * Miniflare in the background), and tests deliver them to the worker's
 * queue handler themselves, in the order and with the attempts they choose.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach } from "vitest";
import worker from "../../src/index";
import type { TaskMessage } from "../../src/queues/messages";

/** Tasks sent and not yet delivered. */
export const sentTasks: TaskMessage[] = [];

/** Installs the capture (of both task queues) around every test of the calling file. */
export function captureTasks(): void {
  const queues = [env.MATERIALIZE, env.MATERIALIZE_FANOUT];
  const originals = queues.map((q) => q.sendBatch.bind(q));
  beforeEach(() => {
    sentTasks.length = 0;
    for (const queue of queues) {
      queue.sendBatch = async (messages: Iterable<MessageSendRequest<unknown>>) => {
        for (const m of messages) sentTasks.push(m.body as TaskMessage);
        return {} as QueueSendBatchResponse;
      };
    }
  });
  afterEach(() => {
    queues.forEach((q, i) => {
      q.sendBatch = originals[i];
    });
  });
}

/** Delivers tasks as one batch; returns which were acked and which retried. */
export async function deliverTasks(messages: TaskMessage[], attempts = 1, queue = "larder-materialize") {
  const batch = createMessageBatch<TaskMessage>(
    queue,
    messages.map((body, i) => ({ id: `m${i}-${body.task_id}-${attempts}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  return getQueueResult(batch, ctx);
}

/** Delivers every captured task, and those they fan out to, until none is left. */
export async function drainTasks(maxRounds = 50): Promise<void> {
  for (let i = 0; i < maxRounds && sentTasks.length > 0; i++) await deliverTasks(sentTasks.splice(0, sentTasks.length));
}

/** Records what is sent to the offline queue while `work` runs. */
export async function offlineSends(work: () => Promise<void>): Promise<unknown[]> {
  const sent: unknown[] = [];
  const original = env.OFFLINE_WRITES.send.bind(env.OFFLINE_WRITES);
  env.OFFLINE_WRITES.send = async (body: unknown, options?: QueueSendOptions) => {
    sent.push(body);
    return original(body, options);
  };
  try {
    await work();
  } finally {
    env.OFFLINE_WRITES.send = original;
  }
  return sent;
}
