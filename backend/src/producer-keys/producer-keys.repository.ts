import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../config/tokens.js';
import type { Queryable } from '../database/database.js';

export interface ProducerKeyRow {
  readonly id: string;
  readonly name: string;
  readonly secretHash: string;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

const COLUMNS = `id, name, secret_hash AS "secretHash", rate_per_second AS "ratePerSecond", burst,
  created_at AS "createdAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`;

/** The `producer_keys` table (migration 2). */
@Injectable()
export class ProducerKeysRepository {
  constructor(@Inject(DATABASE) private readonly db: Queryable) {}

  /** Inserts a key; says which unique column was already taken instead of throwing. */
  async insert(key: {
    id: string;
    name: string;
    secretHash: string;
    ratePerSecond: number;
    burst: number;
  }): Promise<{ inserted: ProducerKeyRow } | { taken: 'id' | 'name' }> {
    const { rows } = await this.db.query<ProducerKeyRow>(
      `INSERT INTO producer_keys (id, name, secret_hash, rate_per_second, burst)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [key.id, key.name, key.secretHash, key.ratePerSecond, key.burst],
    );
    const inserted = rows[0];
    if (inserted !== undefined) return { inserted };
    return { taken: (await this.findByName(key.name)) === undefined ? 'id' : 'name' };
  }

  async findById(id: string): Promise<ProducerKeyRow | undefined> {
    const { rows } = await this.db.query<ProducerKeyRow>(
      `SELECT ${COLUMNS} FROM producer_keys WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async findByName(name: string): Promise<ProducerKeyRow | undefined> {
    const { rows } = await this.db.query<ProducerKeyRow>(
      `SELECT ${COLUMNS} FROM producer_keys WHERE name = $1`,
      [name],
    );
    return rows[0];
  }

  /** Marks the key revoked (keeping the first revocation time); undefined when no key has that name. */
  async revoke(name: string): Promise<ProducerKeyRow | undefined> {
    const { rows } = await this.db.query<ProducerKeyRow>(
      `UPDATE producer_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE name = $1 RETURNING ${COLUMNS}`,
      [name],
    );
    return rows[0];
  }

  async list(): Promise<ProducerKeyRow[]> {
    const { rows } = await this.db.query<ProducerKeyRow>(
      `SELECT ${COLUMNS} FROM producer_keys ORDER BY created_at, name`,
    );
    return rows;
  }

  async touch(id: string): Promise<void> {
    await this.db.query('UPDATE producer_keys SET last_used_at = now() WHERE id = $1', [id]);
  }
}
