#!/usr/bin/env node
// The `msc3917` command. The sources are TypeScript; tsx loads them without a build step.
import { register } from "tsx/esm/api";

register();
await import("../cli/msc3917.ts");
