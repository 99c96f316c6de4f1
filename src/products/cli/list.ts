import type { Operator } from './operator';

/** One line per product (status, rows, size on disk) and its row count per tenant table. */
export async function listProducts(operator: Operator): Promise<string> {
  const tables = await operator.tenantTables();
  const lines = [`${'PRODUCT'.padEnd(16)} ${'STATUS'.padEnd(10)} ${'ROWS'.padStart(9)} ${'SIZE'.padStart(10)}  NAME / REASON`];
  for (const product of await operator.products()) {
    const runtime = await operator.runtime(product.name);
    const counts: string[] = [];
    let rows = 0;
    let bytes = 0;
    for (const table of tables) {
      // As the product's runtime role: RLS counts only its rows.
      const ident = runtime.escapeIdentifier(table);
      const { rows: result } = await runtime.query<{ n: string; bytes: string | null }>(
        `select count(*) as n, sum(pg_column_size(t.*)) as bytes from ${ident} t`,
      );
      const n = Number(result[0]?.n ?? 0);
      rows += n;
      bytes += Number(result[0]?.bytes ?? 0);
      counts.push(`${table}=${n}`);
    }
    const label = product.status === 'suspended' ? `${product.display_name} / ${product.suspended_reason ?? ''}` : product.display_name;
    lines.push(`${product.name.padEnd(16)} ${product.status.padEnd(10)} ${String(rows).padStart(9)} ${size(bytes).padStart(10)}  ${label}`);
    lines.push(`  ${counts.join(' ')}`);
  }
  return lines.join('\n');
}

function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
