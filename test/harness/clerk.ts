import { randomUUID } from 'node:crypto';
import { User } from '../../src/users/user.entity';
import { WebhookEvent } from '../../src/webhooks/webhook-event.entity';
import { type ProductApp, type TestUser } from './product-app';

export const ME = '/api/v1/users/me';
export const WEBHOOK = '/api/v1/webhooks/clerk';

/** The contract's error body with any message and request id. */
export const contractError = (statusCode: number, error: string) => ({
  statusCode,
  error,
  message: expect.any(String) as unknown,
  requestId: expect.any(String) as unknown,
});
export const unauthorized = contractError(401, 'Unauthorized');

export const newClerkId = (): string => `user_${randomUUID().replace(/-/g, '')}`;
export const newSvixId = (): string => `msg_${randomUUID()}`;
export const base64url = (value: object | string): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
export const bearer = (token: string): { Authorization: string } => ({ Authorization: `Bearer ${token}` });

/** Every row of this Clerk user in the app's product, soft-deleted ones included. */
export function userRows(app: ProductApp, clerkUserId: string): Promise<User[]> {
  return app.inTenant(() => app.em().find(User, { clerkUserId }, { filters: { notDeleted: false } }));
}

/** The stored delivery, read as the product itself would (tenant context, runtime role). */
export function storedDelivery(app: ProductApp, svixId: string): Promise<WebhookEvent | null> {
  return app.inTenant(() => app.em().findOne(WebhookEvent, { svixId }));
}

export async function findUserByClerkId(app: ProductApp, admin: TestUser, clerkUserId: string): Promise<Record<string, unknown> | undefined> {
  const list = await app.http.get('/api/v1/users?limit=100').set(admin.auth).expect(200);
  return (list.body.items as Array<Record<string, unknown>>).find((item) => item.clerkUserId === clerkUserId);
}
