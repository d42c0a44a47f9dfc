import type { Database } from '../database/database.js';
import type { DeadLetter, DeadLetterSink } from './transport.js';

/** Dead letters of the in-process transport: a table, since there is no dead-letter topic. */
export class DeadLetterTableRepository implements DeadLetterSink {
  constructor(private readonly db: Database) {}

  async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const decoder = new TextDecoder();
    await this.db.query(
      'INSERT INTO dead_letters (source, reason, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])',
      [
        letters.map(({ message }) => `${message.topic}/${message.partition}/${message.offset}`),
        letters.map(({ reason }) => reason),
        letters.map(({ message }) => {
          if (message.value === null) return null;
          const text = typeof message.value === 'string' ? message.value : decoder.decode(message.value);
          // PostgreSQL text cannot hold NUL; keep the rest of the payload readable.
          return text.replaceAll('\u0000', '\uFFFD');
        }),
      ],
    );
  }
}
