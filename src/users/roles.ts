// What a user may do; set by the Clerk webhook (`public_metadata.role`) or by an admin.
export const ROLES = ['user', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];
