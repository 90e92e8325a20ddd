/**
 * Searching cells in parallel (issue 14 §5): with `workers` n, this thread and n − 1
 * worker_threads take cells from one queue, costliest first (by budget, and by the time each threat
 * × model, or model, has taken so far), and the results come back in the cells' order. A cell's
 * result depends on its spec alone (search.ts), so any number of workers gives the same results as
 * one; with one worker the cells run in this thread only.
 *
 * This thread searches too, rather than only hand out cells: it is already loaded and warm, and a
 * thread that only waited would leave one core to the others' start-up. Its cells run without
 * returning to the event loop, so each worker is kept four cells ahead: this thread's cell can
 * take as long as several of the worker's (an MLS cell against baseline ones), and a worker that
 * had only one more would wait for it. With the costliest cells first, what a worker still holds at
 * the end is cheap.
 */
import { Worker } from "node:worker_threads";
import { CATALOGUE } from "../catalogue.ts";
import { type CellResult, type CellSpec, searchCell } from "./search.ts";

/** Cells a worker holds at once: the one it searches and the next three. */
const AHEAD = 4;

export async function searchCells(
  cells: readonly CellSpec[],
  workers: number,
  onDone?: (done: number, cell: CellSpec) => void,
): Promise<CellResult[]> {
  const pool = new SearchPool(Math.min(workers, cells.length));
  try {
    return await pool.search(cells, onDone);
  } finally {
    await pool.close();
  }
}

/**
 * This thread and `workers` − 1 worker_threads, kept between searches: a worker's start (loading
 * the TypeScript modules) and its JIT warm-up are paid once, not per search. `searchCells` is one
 * search on a pool of its own; the bench keeps one to measure the warm speed.
 */
export class SearchPool {
  private readonly pool: Worker[];
  /**
   * Milliseconds per run of each threat × model, and of each model, from this pool's searches so
   * far: the queue hands out the costliest cells first, re-ordered as cells finish, so that no
   * thread is left alone with a long cell at the end (a fresh pool learns the models' costs from
   * their first cells). Scheduling only: a cell's result depends on its spec alone, never on when
   * or where it ran.
   */
  private readonly msPerRun = new Map<string, number>();
  private readonly modelMs = new Map<string, { ms: number; runs: number }>();

  constructor(workers: number) {
    this.pool = Array.from(
      { length: Math.max(0, workers - 1) },
      () => new Worker(new URL("./worker-boot.mjs", import.meta.url)),
    );
  }

  /** A cell's expected cost: its budget times what a run of it (else of its model, else any run) took. */
  private estimate(cell: CellSpec): number {
    const model = this.modelMs.get(cell.model);
    let all = { ms: 0, runs: 0 };
    if (model === undefined)
      for (const m of this.modelMs.values()) all = { ms: all.ms + m.ms, runs: all.runs + m.runs };
    const perRun =
      this.msPerRun.get(costKey(cell)) ??
      (model !== undefined ? model.ms / model.runs : all.runs > 0 ? all.ms / all.runs : 1);
    return cell.budget * perRun;
  }

  async search(cells: readonly CellSpec[], onDone?: (done: number, cell: CellSpec) => void): Promise<CellResult[]> {
    const results: CellResult[] = new Array(cells.length);
    let done = 0;
    const queue = [...cells.keys()];
    const order = () => {
      const cost = new Map(queue.map((i) => [i, this.estimate(cells[i]!)]));
      queue.sort((a, b) => cost.get(b)! - cost.get(a)! || a - b);
    };
    const finish = (index: number, result: CellResult, ms: number) => {
      results[index] = result;
      const cell = cells[index]!;
      const runs = Math.max(1, result.tally.trials + result.tally.shrink_runs);
      this.msPerRun.set(costKey(cell), ms / runs);
      const m = this.modelMs.get(cell.model) ?? { ms: 0, runs: 0 };
      this.modelMs.set(cell.model, { ms: m.ms + ms, runs: m.runs + runs });
      order();
      onDone?.(++done, cell);
    };
    order();
    const here = async () => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        const cell = cells[index]!;
        const started = performance.now();
        const result = await searchCell(CATALOGUE.find((t) => t.id === cell.threat)!, cell);
        finish(index, result, performance.now() - started);
        await new Promise((resolve) => setImmediate(resolve)); // let the workers' results in
      }
    };
    await Promise.all([
      here(),
      ...this.pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let held = 0;
            const top = () => {
              while (held < AHEAD) {
                const index = queue.shift();
                if (index === undefined) break;
                held++;
                worker.postMessage({ index, cell: cells[index] });
              }
              if (held === 0) settle();
            };
            const onMessage = (m: { index: number; result?: CellResult; ms?: number; error?: string }) => {
              if (m.error !== undefined)
                return settle(
                  new Error(`search worker, cell ${cells[m.index]!.threat} × ${cells[m.index]!.model}: ${m.error}`),
                );
              held--;
              finish(m.index, m.result!, m.ms!);
              top();
            };
            // A worker that stops without an error (killed, out of memory) must not leave the search waiting.
            const onExit = (code: number) =>
              settle(new Error(`search worker exited (code ${code}) holding ${held} cell(s)`));
            const settle = (error?: Error) => {
              worker.off("message", onMessage);
              worker.off("error", settle);
              worker.off("exit", onExit);
              if (error) reject(error);
              else resolve();
            };
            worker.on("message", onMessage);
            worker.on("error", settle);
            worker.on("exit", onExit);
            top();
          }),
      ),
    ]);
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.pool.map((w) => w.terminate()));
  }
}

const costKey = (c: CellSpec): string => `${c.threat}\u0000${c.model}`;
