import { loadRegistryConfig, PRODUCT_SETTINGS, type ProductSettingName } from '../../config/registry.config';
import { last4, productSecretContext, SecretsCipher, SecretsKeyError, userSecretContext } from '../secrets-cipher';
import { type Operator, OperatorError } from './operator';

export function cipherFromEnv(env: NodeJS.ProcessEnv): SecretsCipher {
  try {
    return new SecretsCipher(loadRegistryConfig(env).secretsKeys);
  } catch (error) {
    throw new OperatorError(error instanceof Error ? error.message : String(error));
  }
}

export function settingName(name: string | undefined): ProductSettingName {
  if (!name || !(PRODUCT_SETTINGS as readonly string[]).includes(name)) {
    throw new OperatorError(`secret name must be one of ${PRODUCT_SETTINGS.join(', ')}`);
  }
  return name as ProductSettingName;
}

export async function setSecret(operator: Operator, cipher: SecretsCipher, product: string, name: ProductSettingName, value: string): Promise<void> {
  if (!cipher.canSeal) {
    throw new OperatorError('SECRETS_KEYS is not set: refusing to store a secret (it would not be encrypted)');
  }
  const sealed = cipher.seal(value, productSecretContext(product, name));
  const previous = await operator.owner.query<{ replaced: boolean }>(
    `insert into product_secrets (product_name, name, key_id, nonce, ciphertext, updated_at) values ($1, $2, $3, $4, $5, now())
     on conflict (product_name, name) do update set key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = now()
     returning (xmax <> 0) as replaced`,
    [product, name, sealed.keyId, sealed.nonce, sealed.ciphertext],
  );
  // The audit says which secret changed, never its value.
  await operator.audit(product, previous.rows[0]?.replaced ? 'update' : 'create', 'ProductSecret', `${product}:${name}`, { name, keyId: sealed.keyId });
}

export async function listSecrets(operator: Operator, cipher: SecretsCipher, product: string): Promise<string> {
  const { rows } = await operator.owner.query<{ name: string; key_id: string; nonce: Buffer; ciphertext: Buffer; updated_at: Date }>(
    'select name, key_id, nonce, ciphertext, updated_at from product_secrets where product_name = $1 order by name',
    [product],
  );
  const lines = rows.map((row) => {
    const value = open(cipher, row, productSecretContext(product, row.name));
    return `${row.name.padEnd(22)} ...${last4(value).padEnd(6)} ${row.key_id.padEnd(12)} ${row.updated_at.toISOString()}`;
  });
  return [`${'NAME'.padEnd(22)} ${'LAST4'.padEnd(9)} ${'KEY ID'.padEnd(12)} UPDATED`, ...lines].join('\n');
}

function open(cipher: SecretsCipher, row: { key_id: string; nonce: Buffer; ciphertext: Buffer }, context: string): string {
  try {
    return cipher.open({ keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext }, context);
  } catch (error) {
    throw new OperatorError(error instanceof SecretsKeyError ? error.message : 'a secret could not be decrypted');
  }
}

/** Re-encrypts every product secret and every user's key under the first key of SECRETS_KEYS. */
export async function rotateKeys(operator: Operator, cipher: SecretsCipher): Promise<number> {
  if (!cipher.canSeal) {
    throw new OperatorError('SECRETS_KEYS is not set: nothing to rotate to');
  }
  let count = 0;
  for (const product of await operator.products()) {
    const { rows } = await operator.owner.query<{ name: string; key_id: string; nonce: Buffer; ciphertext: Buffer }>(
      'select name, key_id, nonce, ciphertext from product_secrets where product_name = $1',
      [product.name],
    );
    let rotated = 0;
    for (const row of rows) {
      if (row.key_id === cipher.currentKeyId) {
        continue;
      }
      const context = productSecretContext(product.name, row.name);
      const sealed = cipher.seal(open(cipher, row, context), context);
      await operator.owner.query('update product_secrets set key_id = $3, nonce = $4, ciphertext = $5 where product_name = $1 and name = $2', [
        product.name,
        row.name,
        sealed.keyId,
        sealed.nonce,
        sealed.ciphertext,
      ]);
      rotated++;
    }
    // Users' own keys are tenant rows: rewritten as the product's runtime role.
    const runtime = await operator.runtime(product.name);
    const users = await runtime.query<{ id: string; user_id: string; key_id: string; nonce: Buffer; ciphertext: Buffer }>(
      `select id, user_id, llm_api_key_key_id as key_id, llm_api_key_nonce as nonce, llm_api_key_ciphertext as ciphertext
       from user_settings where llm_api_key_ciphertext is not null and llm_api_key_key_id <> $1`,
      [cipher.currentKeyId],
    );
    for (const row of users.rows) {
      const context = userSecretContext(product.name, row.user_id, 'llmApiKey');
      const sealed = cipher.seal(open(cipher, row, context), context);
      await runtime.query(
        'update user_settings set llm_api_key_key_id = $2, llm_api_key_nonce = $3, llm_api_key_ciphertext = $4, updated_at = now() where id = $1',
        [row.id, sealed.keyId, sealed.nonce, sealed.ciphertext],
      );
      rotated++;
    }
    if (rotated > 0) {
      await operator.audit(product.name, 'update', 'ProductSecret', `${product.name}:*`, { rotatedTo: cipher.currentKeyId, count: rotated });
    }
    count += rotated;
  }
  return count;
}
