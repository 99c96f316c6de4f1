// The machine's limit: node:http + pg, no framework, running the SQL the app runs for the same
// routes (as the product's runtime role, so RLS is on as in the app). Env: PORT, DATABASE_URL
// (runtime role), PRODUCT, CLERK_JWT_KEY.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { importSPKI, jwtVerify } from 'jose';
import pg from 'pg';

const product = process.env.PRODUCT;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pg.types.setTypeParser(20, Number); // bigint price_minor as a number, as the app maps it
const key = await importSPKI(process.env.CLERK_JWT_KEY, 'RS256');

const COLUMNS = 'id, title, description, price_minor, currency, bedrooms, bathrooms, address, published, created_by, created_at, updated_at';
const toJson = (r) => ({
  id: r.id, title: r.title, description: r.description, priceMinor: r.price_minor, currency: r.currency, bedrooms: r.bedrooms,
  bathrooms: r.bathrooms, address: r.address, published: r.published, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});
const send = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

// The app's remembered total (src/common/change-counters.ts): the capped count runs again only after
// the properties' change counter moves, and is kept only when no writer of it is still in progress.
let remembered = null;
async function cappedTotal() {
  const { rows } = await pool.query('select (last_value + is_called::int)::text as v from public.properties__changes');
  const version = rows[0].v;
  if (remembered?.version === version) {
    return remembered.n;
  }
  const lock = await pool.query('select pg_try_advisory_xact_lock(1146048839, hashtext($1)) as free', ['public.properties__changes']);
  const count = await pool.query(`select count(*)::int as n from (select id from properties where product = $1 and published limit 10001) c`, [product]);
  const n = count.rows[0].n;
  if (lock.rows[0].free) {
    remembered = { version, n };
  }
  return n;
}

async function list(url, res) {
  const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 20));
  const cursor = url.searchParams.get('cursor');
  const params = [product, limit + 1];
  let keyset = '';
  if (cursor) {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    params.push(at, id);
    keyset = 'and created_at <= $3 and (created_at < $3 or (created_at = $3 and id < $4))';
  }
  const [page, n] = await Promise.all([
    pool.query(`select ${COLUMNS} from properties where product = $1 and published ${keyset} order by created_at desc, id desc limit $2`, params),
    cappedTotal(),
  ]);
  const items = page.rows.slice(0, limit);
  const last = items[items.length - 1];
  const more = page.rows.length > limit;
  send(res, 200, {
    items: items.map(toJson), limit, offset: cursor ? null : 0,
    nextCursor: more ? Buffer.from(JSON.stringify([last.created_at, last.id])).toString('base64url') : null,
    total: Math.min(n, 10000), totalExact: n <= 10000,
  });
}

async function byId(id, res) {
  const { rows } = await pool.query(`select ${COLUMNS} from properties where id = $1 and published and product = $2`, [id, product]);
  return rows[0] ? send(res, 200, toJson(rows[0])) : send(res, 404, { statusCode: 404 });
}

async function me(req, res) {
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], clockTolerance: 5 });
  const { rows } = await pool.query(
    'select id, clerk_user_id, email, first_name, last_name, role, created_at from users where product = $1 and clerk_user_id = $2 and deleted_at is null',
    [product, payload.sub],
  );
  return rows[0] ? send(res, 200, rows[0]) : send(res, 401, { statusCode: 401 });
}

async function create(req, res) {
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], clockTolerance: 5 });
  let text = '';
  for await (const chunk of req) {text += chunk;}
  const body = JSON.parse(text);
  const client = await pool.connect();
  try {
    await client.query('begin');
    const user = await client.query('select id, role from users where product = $1 and clerk_user_id = $2 and deleted_at is null', [product, payload.sub]);
    const actor = user.rows[0];
    const id = randomUUID();
    const { rows } = await client.query(
      `insert into properties (id, product, title, description, price_minor, currency, bedrooms, bathrooms, address, published, created_by, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), now()) returning ${COLUMNS}`,
      [id, product, body.title, body.description ?? '', body.priceMinor, body.currency, body.bedrooms, body.bathrooms, body.address, body.published ?? false, actor.id],
    );
    await client.query(
      `insert into audit_log (id, product, action, entity_type, entity_id, actor_id, changes, request_id, created_at, updated_at)
       values ($1, $2, 'create', 'Property', $3, $4, $5, null, now(), now())`,
      [randomUUID(), product, id, actor.id, JSON.stringify(body)],
    );
    await client.query('commit');
    send(res, 201, toJson(rows[0]));
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const path = url.pathname;
  let work;
  if (path === '/api/health') {
    work = Promise.resolve(send(res, 200, { status: 'ok' }));
  } else if (path === '/api/v1/properties') {
    work = list(url, res);
  } else if (path.startsWith('/api/v1/properties/')) {
    work = byId(path.slice('/api/v1/properties/'.length), res);
  } else if (path === '/api/v1/users/me') {
    work = me(req, res);
  } else if (path === '/api/v1/admin/properties' && req.method === 'POST') {
    work = create(req, res);
  } else {
    work = Promise.resolve(send(res, 404, { statusCode: 404 }));
  }
  work.catch((error) => send(res, 500, { statusCode: 500, message: String(error) }));
}).listen(Number(process.env.PORT), '127.0.0.1');
