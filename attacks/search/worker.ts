/** A search worker (pool.ts): searches the cells it is sent, one at a time, and posts each result back with the time it took (for scheduling only). */
import { parentPort } from "node:worker_threads";
import { CATALOGUE } from "../catalogue.ts";
import { type CellSpec, searchCell } from "./search.ts";

parentPort!.on("message", async (msg: { index: number; cell: CellSpec }) => {
  try {
    const threat = CATALOGUE.find((t) => t.id === msg.cell.threat)!;
    const started = performance.now();
    const result = await searchCell(threat, msg.cell);
    parentPort!.postMessage({ index: msg.index, result, ms: performance.now() - started });
  } catch (e) {
    parentPort!.postMessage({ index: msg.index, error: (e as Error).stack ?? String(e) });
  }
});
