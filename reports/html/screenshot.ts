/**
 * `npx tsx reports/html/screenshot.ts [PAGE.html [OUT.png]]`: opens the report in chromium and
 * saves what a reader sees first (OUT.png, default reports/out/threat-model.png) and the whole page
 * (OUT-full.png). Exits 1, saying why, if the page logged an error or did not draw.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CHROMIUM, chromiumPresent, launchChromium, openReport } from "./browser.ts";

const out = process.env.MSC3917_OUT ? resolve(process.env.MSC3917_OUT) : resolve("reports", "out");
const [page = join(out, "threat-model.html"), png = join(out, "threat-model.png")] = process.argv.slice(2);
if (!chromiumPresent()) {
  console.error(`screenshot: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), "msc3917-shot-"));
let status = 0;
const browser = await launchChromium(profile);
try {
  const { page: p, log, rendered } = await openReport(browser, resolve(page));
  const full = png.replace(/\.png$/, "-full.png");
  await p.screenshot({ path: png as `${string}.png` });
  await p.screenshot({ path: full as `${string}.png`, fullPage: true });
  const errors = [...log.consoleErrors, ...log.pageErrors];
  if (rendered !== "ok" || errors.length) {
    console.error(`screenshot: the page did not draw cleanly (${rendered}): ${errors.join("; ")}`);
    status = 1;
  }
  console.log(`wrote ${png} and ${full}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exitCode = status;
