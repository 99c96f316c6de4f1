export const ROLES_KEY = 'roles';
