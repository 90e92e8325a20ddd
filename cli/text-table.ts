/**
 * Aligned text columns for the command-line front ends (`msc3917`, `npm run scenarios`,
 * `npm run attacks`): cells padded to their column's width, two spaces apart, the last column
 * left as it is. `rule: true` puts a line of dashes under the first row.
 */
export function textTable(rows: readonly (readonly string[])[], opts: { rule?: boolean } = {}): string[] {
  // A loop, not Math.max(...): a room's table can have 10^5 rows, more than a call takes arguments.
  const widths = rows[0]!.map(() => 0);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, r[i]!.length);
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c))
      .join("  ")
      .trimEnd();
  const lines = rows.map(line);
  if (opts.rule) lines.splice(1, 0, line(widths.map((w) => "-".repeat(w))));
  return lines;
}
