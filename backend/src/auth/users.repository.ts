import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database, Queryable } from '../database/database.js';

export interface UserRow {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly districts: readonly string[] | null;
  readonly passwordHash: string;
  readonly tokenVersion: number;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

interface RawUserRow extends Omit<UserRow, 'districts' | 'createdAt'> {
  readonly districts: string[] | string | null;
  readonly createdAt: Date | string;
}

const COLUMNS = `id, username, role, districts, password_hash AS "passwordHash",
  token_version AS "tokenVersion", disabled, created_at AS "createdAt"`;

/** Serialises the changes that could leave no enabled admin (two admins demoting each other at once). */
const ADMINS_LOCK = "SELECT pg_advisory_xact_lock(hashtext('district-monitor users'))";

function toRow(raw: RawUserRow): UserRow {
  const districts =
    typeof raw.districts === 'string' ? (JSON.parse(raw.districts) as string[] | null) : raw.districts;
  return { ...raw, districts, createdAt: new Date(raw.createdAt) };
}

export interface NewUser {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly districts: readonly string[] | null;
  readonly passwordHash: string;
}

export interface UserChanges {
  readonly role?: Role;
  readonly districts?: readonly string[] | null;
  readonly disabled?: boolean;
  /** A new hash also bumps the token version: sessions issued before it stop working. */
  readonly passwordHash?: string;
}

/** The `users` and `auth_settings` tables (migration 6). */
@Injectable()
export class UsersRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async findById(id: string, tx: Queryable = this.db): Promise<UserRow | undefined> {
    const { rows } = await tx.query<RawUserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    const { rows } = await this.db.query<RawUserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [
      username,
    ]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  async anyUser(): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM users LIMIT 1');
    return rows.length > 0;
  }

  async list(): Promise<UserRow[]> {
    const { rows } = await this.db.query<RawUserRow>(
      `SELECT ${COLUMNS} FROM users ORDER BY created_at, username`,
    );
    return rows.map(toRow);
  }

  /** Inserts a user; undefined when the username is taken. */
  private async insert(user: NewUser, tx: Queryable): Promise<UserRow | undefined> {
    const { rows } = await tx.query<RawUserRow>(
      `INSERT INTO users (id, username, role, districts, password_hash)
       VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
      [
        user.id,
        user.username,
        user.role,
        user.districts === null ? null : JSON.stringify(user.districts),
        user.passwordHash,
      ],
    );
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  /** Inserts a user and runs `inTransaction` with it in the same transaction; undefined when the username is taken. */
  async create(
    user: NewUser,
    inTransaction: (tx: Queryable, created: UserRow) => Promise<void>,
  ): Promise<UserRow | undefined> {
    return this.db.transaction(async (tx) => {
      const created = await this.insert(user, tx);
      if (created !== undefined) await inTransaction(tx, created);
      return created;
    });
  }

  /**
   * Inserts `user` only when the table is empty (first start). Replicas starting together take the
   * lock in turn, and the second finds the first one's user: exactly one creates it.
   */
  async insertFirst(
    user: NewUser,
    inTransaction: (tx: Queryable, created: UserRow) => Promise<void>,
  ): Promise<UserRow | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query(ADMINS_LOCK);
      const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      if ((rows[0]?.n ?? 0) > 0) return undefined;
      const created = await this.insert(user, tx);
      if (created !== undefined) await inTransaction(tx, created);
      return created;
    });
  }

  /**
   * Applies `changes` to one user in a transaction, under the users lock, after `check` accepted the
   * row as it is and the number of enabled admins (so the last one cannot be removed by a race).
   * Undefined when there is no such user.
   */
  async update(
    id: string,
    changes: UserChanges,
    check: (before: UserRow, enabledAdmins: number) => void,
    inTransaction: (tx: Queryable, before: UserRow, after: UserRow) => Promise<void>,
  ): Promise<{ before: UserRow; after: UserRow } | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query(ADMINS_LOCK);
      const before = await this.findById(id, tx);
      if (before === undefined) return undefined;
      check(before, await this.enabledAdmins(tx));
      const sets: string[] = [];
      const params: unknown[] = [id];
      const set = (column: string, value: unknown, cast = '') => {
        params.push(value);
        sets.push(`${column} = $${params.length}${cast}`);
      };
      if (changes.role !== undefined) set('role', changes.role);
      if (changes.districts !== undefined) {
        set('districts', changes.districts === null ? null : JSON.stringify(changes.districts), '::jsonb');
      }
      if (changes.disabled !== undefined) set('disabled', changes.disabled);
      if (changes.passwordHash !== undefined) {
        set('password_hash', changes.passwordHash);
        sets.push('token_version = token_version + 1');
      }
      if (sets.length === 0) return { before, after: before };
      const { rows } = await tx.query<RawUserRow>(
        `UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
        params,
      );
      const after = rows[0];
      if (after === undefined) throw new Error(`user ${id} vanished inside its own transaction`);
      const updated = toRow(after);
      await inTransaction(tx, before, updated);
      return { before, after: updated };
    });
  }

  /** Deletes one user after `check` accepted it (see update); the deleted row, or undefined. */
  async delete(
    id: string,
    check: (before: UserRow, enabledAdmins: number) => void,
    inTransaction: (tx: Queryable, deleted: UserRow) => Promise<void>,
  ): Promise<UserRow | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query(ADMINS_LOCK);
      const before = await this.findById(id, tx);
      if (before === undefined) return undefined;
      check(before, await this.enabledAdmins(tx));
      await tx.query('DELETE FROM users WHERE id = $1', [id]);
      await inTransaction(tx, before);
      return before;
    });
  }

  private async enabledAdmins(tx: Queryable): Promise<number> {
    const { rows } = await tx.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled",
    );
    return rows[0]?.n ?? 0;
  }

  /** The stored value of `name`, storing `candidate` first when there is none (the first writer wins). */
  async setting(name: string, candidate: string): Promise<string> {
    await this.db.query(
      'INSERT INTO auth_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, candidate],
    );
    const { rows } = await this.db.query<{ value: string }>(
      'SELECT value FROM auth_settings WHERE name = $1',
      [name],
    );
    const value = rows[0]?.value;
    if (value === undefined) throw new Error(`auth setting ${name} missing right after it was stored`);
    return value;
  }
}
