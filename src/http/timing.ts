/**
 * Per-request timings for the `Server-Timing` header. Workers clocks only
 * advance across I/O, so these measure time spent waiting on bindings, which
 * is what dominates a request.
 */
export class Timing {
  private readonly started = performance.now();
  private readonly entries: { name: string; ms: number }[] = [];

  /** Runs `work` and records how long it took under `name`. */
  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.entries.push({ name, ms: performance.now() - start });
    }
  }

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  header(): string {
    return [...this.entries, { name: "total", ms: this.elapsedMs() }]
      .map((e) => `${e.name};dur=${e.ms.toFixed(1)}`)
      .join(", ");
  }
}
