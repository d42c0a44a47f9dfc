import { ROLES, type Role } from '@district-monitor/streams';
import { PASSWORD_MAX, passwordProblem } from './password.js';
import { fieldError, onlyFields, requiredString, typeName } from '../http/body.js';

/** Usernames: lower-case letters, digits and `._@-`, 1-64 characters; logins are matched in lower case. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface NewUserInput {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly districts: readonly string[] | null;
}

export interface UserChangesInput {
  readonly role?: Role;
  readonly districts?: readonly string[] | null;
  readonly disabled?: boolean;
  readonly password?: string;
}

/** `POST /api/auth/login`: any strings within bounds (a wrong one is a 401, not a 400). */
export function parseLogin(body: Record<string, unknown>): Credentials {
  onlyFields(body, ['username', 'password']);
  return {
    username: requiredString(body, 'username', 64).toLowerCase(),
    password: requiredString(body, 'password', PASSWORD_MAX),
  };
}

/** `POST /api/auth/password`. */
export function parsePasswordChange(body: Record<string, unknown>): { current: string; next: string } {
  onlyFields(body, ['current', 'next']);
  const current = requiredString(body, 'current', PASSWORD_MAX);
  const next = newPassword(body, 'next');
  if (next === current) throw fieldError('next', 'must differ from the current password');
  return { current, next };
}

/** `POST /api/users`: the role defaults to viewer, the districts to all. */
export function parseNewUser(
  body: Record<string, unknown>,
  districtCodes: ReadonlySet<string>,
): NewUserInput {
  onlyFields(body, ['username', 'password', 'role', 'districts']);
  const username = requiredString(body, 'username', 64);
  if (!USERNAME_PATTERN.test(username)) {
    throw fieldError('username', 'expected 1-64 lower-case letters, digits, ".", "_", "@" or "-"');
  }
  return {
    username,
    password: newPassword(body, 'password'),
    role: body.role === undefined ? 'viewer' : role(body.role),
    districts: body.districts === undefined ? null : districts(body.districts, districtCodes),
  };
}

/** `PATCH /api/users/:id`: at least one of role, districts, disabled, password. */
export function parseUserChanges(
  body: Record<string, unknown>,
  districtCodes: ReadonlySet<string>,
): UserChangesInput {
  const fields = ['role', 'districts', 'disabled', 'password'];
  onlyFields(body, fields);
  if (!fields.some((field) => body[field] !== undefined)) {
    throw fieldError('body', `give at least one of ${fields.join(', ')}`);
  }
  const changes: {
    role?: Role;
    districts?: readonly string[] | null;
    disabled?: boolean;
    password?: string;
  } = {};
  if (body.role !== undefined) changes.role = role(body.role);
  if (body.districts !== undefined) changes.districts = districts(body.districts, districtCodes);
  if (body.disabled !== undefined) {
    if (typeof body.disabled !== 'boolean') {
      throw fieldError('disabled', `expected true or false, got ${typeName(body.disabled)}`);
    }
    changes.disabled = body.disabled;
  }
  if (body.password !== undefined) changes.password = newPassword(body, 'password');
  return changes;
}

function newPassword(body: Record<string, unknown>, field: string): string {
  const password = requiredString(body, field, PASSWORD_MAX);
  const problem = passwordProblem(password);
  if (problem !== undefined) throw fieldError(field, problem);
  return password;
}

function role(value: unknown): Role {
  if (typeof value === 'string' && (ROLES as readonly string[]).includes(value)) return value as Role;
  throw fieldError('role', `expected one of ${ROLES.join(', ')}`);
}

/** null = every district; otherwise a non-empty list of the region's district codes. */
function districts(value: unknown, known: ReadonlySet<string>): readonly string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) {
    throw fieldError('districts', `expected a list of district codes or null, got ${typeName(value)}`);
  }
  if (value.length === 0)
    throw fieldError('districts', 'expected at least one district code, or null for all');
  const codes = new Set<string>();
  for (const code of value as unknown[]) {
    if (typeof code !== 'string' || !known.has(code)) {
      throw fieldError('districts', `unknown district ${JSON.stringify(code)} in this region`);
    }
    codes.add(code);
  }
  return [...codes];
}
