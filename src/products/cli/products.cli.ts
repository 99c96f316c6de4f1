import { parseArgs } from 'node:util';
import { exportProduct, purgeProduct } from './export';
import { listProducts } from './list';
import { Operator, OperatorError } from './operator';
import { cipherFromEnv, listSecrets, rotateKeys, setSecret, settingName } from './secrets';

// `npm run products -- <command>`: the operator's tool. It talks to the database as the owner (and
// as a product's runtime role for that product's rows); it is no HTTP route, so no product's API reaches it.
const USAGE = 'usage: npm run products -- list | add <product> --name "<display name>" | suspend <product> --reason "<text>" | resume <product> | set-secret <product> <NAME> (value on stdin) | secrets <product> | rotate-key | export <product> --out <dir> | purge <product> --confirm <product>';
const PRODUCT_NAME = /^[a-z][a-z0-9_]{0,49}$/;

function productArg(value: string | undefined): string {
  if (!value || !PRODUCT_NAME.test(value)) {
    throw new OperatorError(`a product name is required (lowercase letters, digits and _): ${USAGE}`);
  }
  return value;
}

function required(value: string | undefined, flag: string, max = 500): string {
  const text = value?.trim();
  if (!text || text.length > max) {
    throw new OperatorError(`${flag} "<text>" is required (1-${max} characters)`);
  }
  return text;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write('value (end with Ctrl-D): ');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  // One trailing newline (echo, a heredoc) is not part of the value.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function run(argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { name: { type: 'string' }, reason: { type: 'string' }, out: { type: 'string' }, confirm: { type: 'string' } },
  });
  const [command, first, second, ...rest] = positionals;
  const expectArgs = (count: number) => {
    if (positionals.length - 1 > count || rest.length > 0) {
      throw new OperatorError(`too many arguments for ${command}: ${USAGE}`);
    }
  };
  const cipher = cipherFromEnv(process.env);
  if (command === 'set-secret') {
    // Checked before touching the database or stdin. The value never comes from argv.
    if (positionals.length !== 3) {
      throw new OperatorError('set-secret takes <product> <NAME> and reads the value from standard input, never from arguments');
    }
    settingName(second);
    if (!cipher.canSeal) {
      throw new OperatorError('SECRETS_KEYS is not set: refusing to store a secret (it would not be encrypted)');
    }
  }
  const known = ['list', 'add', 'suspend', 'resume', 'set-secret', 'secrets', 'rotate-key', 'export', 'purge'];
  if (!command || !known.includes(command)) {
    throw new OperatorError(command ? `unknown command "${command}": ${USAGE}` : USAGE);
  }
  const operator = await Operator.connect(process.env);
  try {
    switch (command) {
      case 'list': {
        expectArgs(0);
        return await listProducts(operator);
      }
      case 'add': {
        expectArgs(1);
        const product = productArg(first);
        const display = required(values.name, '--name', 200);
        const added = await operator.owner.query(
          `insert into products (name, display_name) values ($1, $2) on conflict (name) do nothing returning name`,
          [product, display],
        );
        if (added.rowCount === 0) {
          throw new OperatorError(`product "${product}" already exists`);
        }
        await operator.audit(product, 'create', 'Product', product, { displayName: display, status: 'active' });
        return `added product "${product}" (${display}); add it to ALLOWED_PRODUCTS and start a process with PRODUCT=${product}`;
      }
      case 'suspend':
      case 'resume': {
        expectArgs(1);
        const product = productArg(first);
        const before = await operator.product(product);
        const reason = command === 'suspend' ? required(values.reason, '--reason') : null;
        const status = command === 'suspend' ? 'suspended' : 'active';
        await operator.owner.query('update products set status = $2, suspended_reason = $3, updated_at = now() where name = $1', [product, status, reason]);
        await operator.audit(product, 'update', 'Product', product, {
          status: { from: before.status, to: status },
          suspendedReason: { from: before.suspended_reason, to: reason },
        });
        return `product "${product}" is ${status}${reason ? `: ${reason}` : ''} (every process notices within 5 seconds)`;
      }
      case 'set-secret': {
        expectArgs(2);
        const product = productArg(first);
        const name = settingName(second);
        await operator.product(product);
        const value = await readStdin();
        if (value.length === 0 || value.length > 4096) {
          throw new OperatorError('the secret value is read from standard input and must be 1-4096 characters');
        }
        await setSecret(operator, cipher, product, name, value);
        return `stored ${name} for "${product}" (encrypted under key id ${cipher.currentKeyId})`;
      }
      case 'secrets': {
        expectArgs(1);
        const product = productArg(first);
        await operator.product(product);
        return await listSecrets(operator, cipher, product);
      }
      case 'rotate-key': {
        expectArgs(0);
        const count = await rotateKeys(operator, cipher);
        return `re-encrypted ${count} secret(s) under key id ${cipher.currentKeyId}`;
      }
      case 'export': {
        expectArgs(1);
        const product = productArg(first);
        const out = required(values.out, '--out', 4096);
        await operator.product(product);
        const files = await exportProduct(operator, product, out);
        return `exported ${files.reduce((sum, f) => sum + f.rows, 0)} row(s) of "${product}" in ${files.length} file(s) to ${out} (see manifest.json)`;
      }
      case 'purge': {
        expectArgs(1);
        const product = productArg(first);
        if (values.confirm !== product) {
          throw new OperatorError(`purge deletes every row of "${product}": repeat its name with --confirm ${product}`);
        }
        await operator.product(product);
        const deleted = await purgeProduct(operator, product);
        const total = Object.values(deleted).reduce((sum, n) => sum + n, 0);
        await operator.audit(product, 'delete', 'Product', product, { purgedRows: total });
        return `purged ${total} row(s) of "${product}"`;
      }
      default:
        throw new OperatorError(USAGE);
    }
  } finally {
    await operator.close();
  }
}

run(process.argv.slice(2)).then(
  (output) => {
    process.stdout.write(`${output}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    // One line, no stack: argument errors from parseArgs are as readable as ours.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`products: ${message.split('\n')[0]}\n`);
    process.exit(error instanceof OperatorError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  },
);
