import { CATALOGUE } from "../attacks/catalogue.ts";
import { MLS_APPLICABILITY } from "../sim/models/mls/applicability.ts";
import { SIGNAL_PGS_APPLICABILITY } from "../sim/models/signal-pgs/applicability.ts";
for (const t of CATALOGUE) {
  const m = MLS_APPLICABILITY.find((a) => a.threat === t.id)!;
  const s = SIGNAL_PGS_APPLICABILITY.find((a) => a.threat === t.id)!;
  console.log(`${t.id} | pgs ${t.expected["signal-pgs"]}${s.applies ? "" : " (n/a)"} | mls ${t.expected.mls}${m.applies ? ` [${m.decidedBy}]` : " (n/a)"}`);
}
