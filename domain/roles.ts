// Who may do what through the API: roles are ordered, admin ⊇ operator ⊇ viewer. Reading needs
// viewer; starting, cancelling and deleting tasks needs operator; vaults and clusters need admin.

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when a holder of `have` may do what needs `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
