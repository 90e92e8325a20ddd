// A search worker's entry: worker_threads run plain JavaScript, so the TypeScript loader (tsx) is
// registered here before the worker proper is imported.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
