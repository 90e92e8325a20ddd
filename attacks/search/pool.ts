/**
 * Searching cells in parallel (issue 14 §5): `workers` worker_threads take cells from one queue,
 * largest first, and the results come back in the cells' order. A cell's result depends on its
 * spec alone (search.ts), so any number of workers gives the same results as one; with one
 * worker the cells run in this thread, with no worker at all.
 */
import { Worker } from "node:worker_threads";
import { CATALOGUE } from "../catalogue.ts";
import { type CellResult, type CellSpec, searchCell } from "./search.ts";

export async function searchCells(
  cells: readonly CellSpec[],
  workers: number,
  onDone?: (done: number, cell: CellSpec) => void,
): Promise<CellResult[]> {
  const results: CellResult[] = new Array(cells.length);
  let done = 0;
  if (workers <= 1) {
    for (const [i, cell] of cells.entries()) {
      results[i] = await searchCell(CATALOGUE.find((t) => t.id === cell.threat)!, cell);
      onDone?.(++done, cell);
    }
    return results;
  }
  // Largest budgets first, so no worker is left with a big cell at the end.
  const queue = [...cells.keys()].sort((a, b) => cells[b]!.budget - cells[a]!.budget || a - b);
  const pool = Array.from(
    { length: Math.min(workers, cells.length) },
    () => new Worker(new URL("./worker-boot.mjs", import.meta.url)),
  );
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const index = queue.shift();
              if (index === undefined) return resolve();
              worker.postMessage({ index, cell: cells[index] });
            };
            worker.on("message", (m: { index: number; result?: CellResult; error?: string }) => {
              if (m.error !== undefined)
                return reject(
                  new Error(`search worker, cell ${cells[m.index]!.threat} × ${cells[m.index]!.model}: ${m.error}`),
                );
              results[m.index] = m.result!;
              onDone?.(++done, cells[m.index]!);
              next();
            });
            worker.on("error", reject);
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
