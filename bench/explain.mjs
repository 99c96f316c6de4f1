// EXPLAIN (ANALYZE, BUFFERS) of the hot queries as the product's runtime role (RLS on, as in the app),
// checked: a product-leading index (or the primary key for a lookup by id) and no sequential scan.
import { query } from './lib.mjs';

const COLUMNS = 'p0.*';
// Below this many rows per product the planner may rightly prefer a sequential scan for the capped
// count (it reads most of a small table anyway); the check is strict from there on.
const STRICT_FROM = 100_000;

export async function explainHotQueries(runtimeUrl, rowsPerProduct) {
  const [deep] = await query(runtimeUrl, `select id, created_at from properties where published order by created_at desc, id desc offset 4999 limit 1`);
  const [one] = await query(runtimeUrl, `select id from properties where published limit 1`);
  const product = (await query(runtimeUrl, 'select app_current_product() as p'))[0].p;
  const cases = [
    ['public list, first page', `select ${COLUMNS} from properties as p0 where p0.product = $1 and p0.published = true order by p0.created_at desc, p0.id desc limit 21`, [product]],
    ['capped total', `select count(*) as n from (select e.id from properties as e where e.published = true and e.product = $1 limit 10001) as capped`, [product]],
    [
      'public list, cursor 5,000 deep',
      `select ${COLUMNS} from properties as p0 where p0.product = $1 and p0.published = true and p0.created_at <= $2 and (p0.created_at < $2 or (p0.created_at = $2 and p0.id < $3)) order by p0.created_at desc, p0.id desc limit 21`,
      [product, deep.created_at, deep.id],
    ],
    ['property by id', `select ${COLUMNS} from properties as p0 where p0.id = $1 and p0.published = true and p0.product = $2 limit 1`, [one.id, product]],
    ['admin list, first page', `select ${COLUMNS} from properties as p0 where p0.product = $1 order by p0.created_at desc, p0.id desc limit 21`, [product]],
  ];
  const out = [];
  for (const [name, sql, params] of cases) {
    const rows = await query(runtimeUrl, `explain (analyze, buffers) ${sql}`, params);
    const text = rows.map((row) => row['QUERY PLAN']).join('\n');
    const seq = /Seq Scan on properties/.test(text);
    const index = /Index (Only )?Scan (Backward )?using (properties_product_\w+|properties_pkey)/.exec(text);
    const small = rowsPerProduct < STRICT_FROM;
    out.push({
      name,
      ok: (!seq || small) && (index !== null || (seq && small)),
      reason: seq ? (small ? `sequential scan of a small table (checked strictly from ${STRICT_FROM} rows)` : 'sequential scan') : index ? `uses ${index[3]}` : 'no index scan',
      text,
    });
  }
  return out;
}
