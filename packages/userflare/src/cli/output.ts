/**
 * Lays rows out as a plain-text table: a header line, then one line per row, columns padded to the
 * widest cell and separated by two spaces. An empty cell prints as `-`.
 *
 * @example
 * ```ts
 * formatTable(['ID', 'NAME'], [['a1', 'ci']]); // "ID  NAME\na1  ci\n"
 * ```
 */
export function formatTable(header: string[], rows: (string | undefined)[][]): string {
  const cells = [header, ...rows.map((row) => header.map((_, i) => row[i] || '-'))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** Writes `value` as indented JSON, for `--json`. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes lines to stdout. */
export function printLines(...lines: string[]): void {
  for (const line of lines) process.stdout.write(`${line}\n`);
}
