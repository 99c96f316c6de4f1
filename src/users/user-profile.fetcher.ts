import { Injectable, Logger } from '@nestjs/common';
import { type AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

export type ProfileClaims = Record<string, unknown>;

export interface Profile {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

const FETCH_TIMEOUT_MS = 3_000;

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= max ? value.trim() : null;
}

interface ClerkApiUser {
  email_addresses?: Array<{ id?: unknown; email_address?: unknown }>;
  primary_email_address_id?: unknown;
  first_name?: unknown;
  last_name?: unknown;
}

/**
 * The profile of a user created at first sign-in: from the token's claims when present, else once
 * from Clerk's Backend API (`GET /v1/users/{id}`) when CLERK_SECRET_KEY is set. Never throws: a
 * failed fetch leaves the profile empty (the next `user.updated` webhook fills it in).
 */
@Injectable()
export class UserProfileFetcher {
  private readonly logger = new Logger(UserProfileFetcher.name);

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  async profileFor(clerkUserId: string, claims: ProfileClaims): Promise<Profile> {
    const fromClaims: Profile = {
      email: text(claims.email, 320),
      firstName: text(claims.first_name ?? claims.given_name, 255),
      lastName: text(claims.last_name ?? claims.family_name, 255),
    };
    if (fromClaims.email !== null || fromClaims.firstName !== null || fromClaims.lastName !== null) {
      return fromClaims;
    }
    return (await this.fetch(clerkUserId)) ?? fromClaims;
  }

  private async fetch(clerkUserId: string): Promise<Profile | undefined> {
    const { clerkSecretKey, clerkApiUrl } = this.config.registry;
    if (!clerkSecretKey) {
      return undefined;
    }
    try {
      const response = await fetch(`${clerkApiUrl}/v1/users/${encodeURIComponent(clerkUserId)}`, {
        headers: { authorization: `Bearer ${clerkSecretKey}`, accept: 'application/json' },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (!response.ok) {
        this.logger.warn(`Clerk Backend API answered ${response.status} for a new user's profile`);
        return undefined;
      }
      const user = (await response.json()) as ClerkApiUser;
      const primary = user.email_addresses?.find((address) => address.id === user.primary_email_address_id);
      return { email: text(primary?.email_address, 320), firstName: text(user.first_name, 255), lastName: text(user.last_name, 255) };
    } catch (error) {
      this.logger.warn(`could not fetch a new user's profile from Clerk: ${error instanceof Error ? error.name : 'error'}`);
      return undefined;
    }
  }
}
