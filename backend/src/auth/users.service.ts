import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  ConflictException,
  Logger,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type { LoginResponse, Role, UserAccount, UserInfo } from '@district-monitor/streams';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Queryable } from '../database/database.js';
import { generatePassword, hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './password.js';
import type { SessionTokens } from './session-tokens.js';
import type { Credentials, NewUserInput, UserChangesInput } from './user-input.js';
import type { UserChanges, UserRow, UsersRepository } from './users.repository.js';

/** The role order: each role may do everything the roles before it may. */
const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

export function roleAtLeast(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

export type Authentication =
  { readonly ok: true; readonly user: UserInfo } | { readonly ok: false; readonly reason: string };

export function infoOf(row: UserRow): UserInfo {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    districts: row.districts,
    createdAt: row.createdAt.toISOString(),
  };
}

export function accountOf(row: UserRow): UserAccount {
  return { ...infoOf(row), disabled: row.disabled };
}

interface CacheEntry {
  readonly load: Promise<UserRow | undefined>;
  readonly expiresAt: number;
}

export interface UsersServiceOptions {
  /** The first admin's password (ADMIN_PASSWORD); undefined = a generated one-time password, logged once. */
  readonly adminPassword: string | undefined;
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
}

/**
 * Users, logins and sessions. A request's session is checked against the user as stored, read at
 * most once per user per CACHE_TTL_MS: a disabled or deleted user, or a changed password, ends every
 * session of that user within that time on every replica (at once on the replica that made the change).
 */
export class UsersService {
  static readonly CACHE_TTL_MS = 5_000;
  private readonly logger = new Logger('Users');
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly repository: UsersRepository,
    private readonly tokens: SessionTokens,
    private readonly audit: AuditLog,
    private readonly options: UsersServiceOptions,
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? UsersService.CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * First start: creates `admin` when there is no user at all. Safe with several replicas starting at
   * once: exactly one of them creates it, and only that one logs the one-time password.
   */
  async ensureFirstAdmin(): Promise<void> {
    if (await this.repository.anyUser()) return;
    const fromEnvironment = this.options.adminPassword !== undefined;
    const password = this.options.adminPassword ?? generatePassword();
    const created = await this.repository.insertFirst(
      {
        id: randomUUID(),
        username: 'admin',
        role: 'admin',
        districts: null,
        passwordHash: await hashPassword(password),
      },
      (tx, user) =>
        this.record(tx, {
          actor: 'system',
          action: 'user.created',
          subject: `user:${user.id}`,
          reason: 'first start: no user existed',
          details: { username: user.username, role: user.role, districts: null },
        }),
    );
    if (created === undefined) return;
    if (fromEnvironment) {
      this.logger.log('first start: created user admin with the password from ADMIN_PASSWORD');
    } else {
      this.logger.warn(
        `first start: created user admin with one-time password ${password} ; ` +
          'it is shown only now: log in and change it with POST /api/auth/password ' +
          '(or set ADMIN_PASSWORD before the first start)',
      );
    }
  }

  /** 401 with the same reason for an unknown user and a wrong password, after the same work. */
  async login(credentials: Credentials): Promise<LoginResponse> {
    const row = await this.repository.findByUsername(credentials.username);
    const matches = await verifyPassword(credentials.password, row?.passwordHash ?? UNKNOWN_USER_HASH);
    if (row === undefined || !matches) throw new UnauthorizedException('wrong username or password');
    if (row.disabled) {
      throw new UnauthorizedException(`user "${row.username}" is disabled: ask an admin to enable it`);
    }
    return this.issue(row);
  }

  /** Checks a session token and the user it names, as stored now. */
  /** Whether the token's signature, issuer and expiry check out, without reading its user. */
  async signed(token: string): Promise<boolean> {
    return (await this.tokens.verify(token).catch(() => undefined))?.ok === true;
  }

  async authenticate(token: string): Promise<Authentication> {
    const check = await this.tokens.verify(token);
    if (!check.ok) return check;
    const row = await this.cachedUser(check.claims.userId);
    if (row === undefined) return { ok: false, reason: 'the user of this session no longer exists' };
    if (row.disabled) return { ok: false, reason: `user "${row.username}" is disabled` };
    if (row.tokenVersion !== check.claims.tokenVersion) {
      return { ok: false, reason: 'session ended by a password change: log in again' };
    }
    return { ok: true, user: infoOf(row) };
  }

  /** Changes the caller's own password; every other session of the user ends, and a new one is returned. */
  async changePassword(user: UserInfo, current: string, next: string): Promise<LoginResponse> {
    const row = await this.repository.findById(user.id);
    if (row === undefined) throw new UnauthorizedException('the user of this session no longer exists');
    if (!(await verifyPassword(current, row.passwordHash))) {
      throw new BadRequestException('current: not your current password');
    }
    const passwordHash = await hashPassword(next);
    const updated = await this.repository.update(
      row.id,
      { passwordHash },
      () => undefined,
      (tx, _before, after) =>
        this.record(tx, {
          actor: after.username,
          action: 'user.password_changed',
          subject: `user:${after.id}`,
        }),
    );
    this.cache.delete(row.id);
    if (updated === undefined) throw new UnauthorizedException('the user of this session no longer exists');
    return this.issue(updated.after);
  }

  async list(): Promise<UserAccount[]> {
    return (await this.repository.list()).map(accountOf);
  }

  async create(actor: string, input: NewUserInput): Promise<UserAccount> {
    const created = await this.repository.create(
      {
        id: randomUUID(),
        username: input.username,
        role: input.role,
        districts: input.districts,
        passwordHash: await hashPassword(input.password),
      },
      (tx, user) =>
        this.record(tx, {
          actor,
          action: 'user.created',
          subject: `user:${user.id}`,
          details: { username: user.username, role: user.role, districts: user.districts },
        }),
    );
    if (created === undefined) throw new ConflictException(`username: "${input.username}" is taken`);
    return accountOf(created);
  }

  async update(actor: string, id: string, input: UserChangesInput): Promise<UserAccount> {
    const changes: UserChanges = {
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(input.districts === undefined ? {} : { districts: input.districts }),
      ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
      ...(input.password === undefined ? {} : { passwordHash: await hashPassword(input.password) }),
    };
    const result = await this.repository.update(
      id,
      changes,
      (before, enabledAdmins) => {
        const staysAdmin =
          (changes.role ?? before.role) === 'admin' && !(changes.disabled ?? before.disabled);
        if (isEnabledAdmin(before) && !staysAdmin && enabledAdmins <= 1) {
          throw new ConflictException(
            `user "${before.username}" is the last enabled admin: make another admin first`,
          );
        }
      },
      (tx, before, after) =>
        this.record(tx, {
          actor,
          action: 'user.updated',
          subject: `user:${after.id}`,
          details: {
            username: after.username,
            ...(input.role === undefined ? {} : { role: { from: before.role, to: after.role } }),
            ...(input.districts === undefined
              ? {}
              : { districts: { from: before.districts, to: after.districts } }),
            ...(input.disabled === undefined ? {} : { disabled: after.disabled }),
            ...(input.password === undefined ? {} : { password: 'changed' }),
          },
        }),
    );
    this.cache.delete(id);
    if (result === undefined) throw new NotFoundException(`no user with id "${id}"`);
    return accountOf(result.after);
  }

  async remove(actor: string, id: string): Promise<void> {
    const deleted = await this.repository.delete(
      id,
      (before, enabledAdmins) => {
        if (isEnabledAdmin(before) && enabledAdmins <= 1) {
          throw new ConflictException(
            `user "${before.username}" is the last enabled admin: make another admin first`,
          );
        }
      },
      (tx, user) =>
        this.record(tx, {
          actor,
          action: 'user.deleted',
          subject: `user:${user.id}`,
          details: { username: user.username, role: user.role },
        }),
    );
    this.cache.delete(id);
    if (deleted === undefined) throw new NotFoundException(`no user with id "${id}"`);
  }

  private async issue(row: UserRow): Promise<LoginResponse> {
    const { token, expiresAt } = await this.tokens.sign({
      userId: row.id,
      role: row.role,
      tokenVersion: row.tokenVersion,
    });
    return { token, expiresAt: expiresAt.toISOString(), user: infoOf(row) };
  }

  private record(tx: Queryable, record: AuditRecord): Promise<void> {
    return this.audit.append(tx, [record]);
  }

  /** The stored user, read at most once per TTL; concurrent requests share one read. */
  private async cachedUser(id: string): Promise<UserRow | undefined> {
    const now = this.now();
    let entry = this.cache.get(id);
    if (entry === undefined || entry.expiresAt <= now) {
      if (this.cache.size >= 10_000) {
        for (const [key, old] of this.cache) if (old.expiresAt <= now) this.cache.delete(key);
      }
      entry = { load: this.repository.findById(id), expiresAt: now + this.cacheTtlMs };
      this.cache.set(id, entry);
    }
    try {
      return await entry.load;
    } catch (error) {
      if (this.cache.get(id) === entry) this.cache.delete(id);
      throw error;
    }
  }
}

function isEnabledAdmin(user: UserRow): boolean {
  return user.role === 'admin' && !user.disabled;
}
