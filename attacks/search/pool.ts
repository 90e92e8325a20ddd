/**
 * Searching cells in parallel (issue 14 §5): with `workers` n, this thread and n − 1
 * worker_threads take cells from one queue, largest budget first, and the results come back in the
 * cells' order. A cell's result depends on its spec alone (search.ts), so any number of workers
 * gives the same results as one; with one worker the cells run in this thread only.
 *
 * This thread searches too, rather than only hand out cells: it is already loaded and warm, and a
 * thread that only waited would leave one core to the others' start-up. Its cells run without
 * returning to the event loop, so each worker is kept two cells ahead, and never waits for this
 * thread to finish a cell before it gets its next.
 */
import { Worker } from "node:worker_threads";
import { CATALOGUE } from "../catalogue.ts";
import { type CellResult, type CellSpec, searchCell } from "./search.ts";

/** Cells a worker holds at once: the one it searches and the next. */
const AHEAD = 2;

export async function searchCells(
  cells: readonly CellSpec[],
  workers: number,
  onDone?: (done: number, cell: CellSpec) => void,
): Promise<CellResult[]> {
  const results: CellResult[] = new Array(cells.length);
  let done = 0;
  const finish = (index: number, result: CellResult) => {
    results[index] = result;
    onDone?.(++done, cells[index]!);
  };
  // Largest budgets first, so no thread is left with a big cell at the end.
  const queue = [...cells.keys()].sort((a, b) => cells[b]!.budget - cells[a]!.budget || a - b);
  const here = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const cell = cells[index]!;
      finish(index, await searchCell(CATALOGUE.find((t) => t.id === cell.threat)!, cell));
      await new Promise((resolve) => setImmediate(resolve)); // let the workers' results in
    }
  };
  const pool = Array.from(
    { length: Math.max(0, Math.min(workers, cells.length) - 1) },
    () => new Worker(new URL("./worker-boot.mjs", import.meta.url)),
  );
  try {
    await Promise.all([
      here(),
      ...pool.map(
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
              if (held === 0) resolve();
            };
            worker.on("message", (m: { index: number; result?: CellResult; error?: string }) => {
              if (m.error !== undefined)
                return reject(
                  new Error(`search worker, cell ${cells[m.index]!.threat} × ${cells[m.index]!.model}: ${m.error}`),
                );
              held--;
              finish(m.index, m.result!);
              top();
            });
            worker.on("error", reject);
            top();
          }),
      ),
    ]);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
