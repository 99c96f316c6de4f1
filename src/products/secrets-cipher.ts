import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretsKey } from '../config/registry.config';

export interface Sealed {
  keyId: string;
  nonce: Buffer;
  /** AES-256-GCM ciphertext with the 16-byte tag appended. */
  ciphertext: Buffer;
}

export class SecretsKeyError extends Error {}

const TAG_BYTES = 16;

/**
 * AES-256-GCM under SECRETS_KEYS: the first key seals, every key opens (that is how rotation works).
 * `context` is bound as additional data, so a ciphertext copied to another product, setting or user
 * does not open there.
 */
export class SecretsCipher {
  constructor(private readonly keys: SecretsKey[]) {}

  get canSeal(): boolean {
    return this.keys.length > 0;
  }

  get currentKeyId(): string | undefined {
    return this.keys[0]?.id;
  }

  seal(plaintext: string, context: string): Sealed {
    const key = this.keys[0];
    if (!key) {
      throw new SecretsKeyError('SECRETS_KEYS is not set: secrets cannot be encrypted');
    }
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: key.id, nonce, ciphertext: Buffer.concat([body, cipher.getAuthTag()]) };
  }

  open(sealed: Sealed, context: string): string {
    if (this.keys.length === 0) {
      throw new SecretsKeyError('encrypted secrets exist but SECRETS_KEYS is not set');
    }
    const key = this.keys.find((k) => k.id === sealed.keyId);
    if (!key) {
      throw new SecretsKeyError(`a secret is encrypted under key id "${sealed.keyId}", which SECRETS_KEYS does not contain`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.nonce);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretsKeyError(`SECRETS_KEYS key id "${sealed.keyId}" cannot decrypt a secret sealed under that id (wrong key)`);
    }
  }
}

export const productSecretContext = (product: string, name: string): string => `product:${product}:${name}`;
export const userSecretContext = (product: string, userId: string, name: string): string => `user:${product}:${userId}:${name}`;

// A value too short to hide anything behind its last 4 characters shows none of them.
export function last4(value: string): string {
  return value.length < 8 ? '****' : value.slice(-4);
}
