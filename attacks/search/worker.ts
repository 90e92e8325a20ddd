/** A search worker (pool.ts): searches the cells it is sent, one at a time, and posts each result back. */
import { parentPort } from "node:worker_threads";
import { CATALOGUE } from "../catalogue.ts";
import { type CellSpec, searchCell } from "./search.ts";

parentPort!.on("message", async (msg: { index: number; cell: CellSpec }) => {
  try {
    const threat = CATALOGUE.find((t) => t.id === msg.cell.threat)!;
    parentPort!.postMessage({ index: msg.index, result: await searchCell(threat, msg.cell) });
  } catch (e) {
    parentPort!.postMessage({ index: msg.index, error: (e as Error).stack ?? String(e) });
  }
});
