/**
 * Loading matrix-sdk-crypto's WebAssembly, once per process (notes/real-libraries.md: `initAsync()`
 * once; 26–36 ms here). Every entry point of this folder awaits `loadCrypto()` before touching the
 * library, so callers never have to remember.
 */
import { initAsync } from "@matrix-org/matrix-sdk-crypto-wasm";

let loading: Promise<void> | undefined;

export function loadCrypto(): Promise<void> {
  loading ??= initAsync();
  return loading;
}
