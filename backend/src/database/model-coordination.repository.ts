import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import {
  ACTIVATION_CHANNEL,
  type ActivationCheck,
  type CoordinationHealth,
  type ModelCoordination,
  type TrainingLease,
} from '../models/model-coordination.js';

/** The advisory lock key of model training (any fixed bigint no other part of the product uses). */
export const TRAINING_LOCK_KEY = '7212240419';
/** Backoff of the listener's reconnection. */
const RECONNECT = { initialDelayMs: 500, maxDelayMs: 10_000 } as const;
/** The application name of the listening connection (`pg_stat_activity`), so an operator can find it. */
export const LISTENER_APPLICATION = 'district-monitor-listen';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Model coordination on a PostgreSQL server: one dedicated connection LISTENs on
 * {@link ACTIVATION_CHANNEL} (reconnected with backoff when it drops), and each training holds the session
 * advisory lock {@link TRAINING_LOCK_KEY} on a connection of its own, so a replica that dies while it
 * trains frees the lock with its connection.
 */
export class PostgresModelCoordination implements ModelCoordination {
  readonly kind = 'postgres' as const;
  private readonly logger = new Logger('ModelCoordination');
  private listener: pg.Client | undefined;
  private onActivation: ((check: ActivationCheck) => void) | undefined;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private reconnecting: Promise<void> | undefined;
  private listening = false;
  private notifications = 0;
  private reconnects = 0;
  private lastError: string | null = null;

  constructor(private readonly url: string) {}

  async follow(onActivation: (check: ActivationCheck) => void): Promise<void> {
    this.onActivation = onActivation;
    try {
      await this.listen();
    } catch (error) {
      this.lost(error);
    }
  }

  async tryLockTraining(): Promise<TrainingLease | null> {
    const client = this.client('district-monitor-training-lock');
    client.on('error', (error) => {
      // The session ends with its connection, and the lock with it: another replica may now train.
      this.logger.error(`the training lock's connection was lost; the lock is free again: ${error.message}`);
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        TRAINING_LOCK_KEY,
      ]);
      if (rows[0]?.locked !== true) {
        await client.end();
        return null;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new Error(`taking the training lock failed: ${message(error)}`, { cause: error });
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        // Ending the session releases its advisory locks; the explicit unlock only makes that visible sooner.
        await client.query('SELECT pg_advisory_unlock($1)', [TRAINING_LOCK_KEY]).catch((error: unknown) => {
          this.logger.warn(`unlocking the training lock: ${message(error)} (ending its session frees it)`);
        });
        await client.end().catch((error: unknown) => {
          this.logger.warn(`closing the training lock's connection: ${message(error)}`);
        });
      },
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    await this.reconnecting;
    const listener = this.listener;
    this.listener = undefined;
    this.listening = false;
    await listener?.end().catch((error: unknown) => {
      this.logger.warn(`closing the activation listener: ${message(error)}`);
    });
  }

  health(): CoordinationHealth {
    return {
      kind: this.kind,
      listening: this.listening,
      notifications: this.notifications,
      reconnects: this.reconnects,
      lastError: this.lastError,
    };
  }

  private client(applicationName: string): pg.Client {
    return new pg.Client({
      connectionString: this.url,
      application_name: applicationName,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
  }

  private async listen(): Promise<void> {
    const client = this.client(LISTENER_APPLICATION);
    this.listener = client;
    client.on('notification', (notification) => {
      if (notification.channel !== ACTIVATION_CHANNEL) return;
      this.notifications++;
      this.logger.debug(`notified of the activation of ${notification.payload ?? '?'}`);
      this.onActivation?.('notified');
    });
    client.on('error', (error) => {
      if (this.listener === client) this.lost(error);
    });
    client.on('end', () => {
      if (this.listener === client) this.lost(new Error('the connection ended'));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ACTIVATION_CHANNEL}`);
    } catch (error) {
      this.listener = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listening = true;
    this.lastError = null;
  }

  /** The listener is gone: reconnect in the background (once), then have the active version checked. */
  private lost(error: unknown): void {
    if (this.stopping || this.reconnecting !== undefined) return;
    const dropped = this.listener;
    this.listener = undefined;
    this.listening = false;
    this.lastError = message(error);
    dropped?.removeAllListeners('notification');
    void dropped?.end().catch(() => undefined);
    this.logger.warn(
      `the model activation listener is down (${this.lastError}); reconnecting, the periodic re-check covers meanwhile`,
    );
    this.reconnecting = this.reconnect().finally(() => {
      this.reconnecting = undefined;
    });
  }

  private async reconnect(): Promise<void> {
    let wait: number = RECONNECT.initialDelayMs;
    while (!this.stopping) {
      const stopped = await delay(wait, false, { signal: this.stopSignal.signal }).catch(() => true);
      if (stopped) return;
      try {
        await this.listen();
        this.reconnects++;
        this.logger.log('the model activation listener is connected again');
        // Activations while it was down sent notifications nobody heard.
        this.onActivation?.('reconnected');
        return;
      } catch (error) {
        this.lastError = message(error);
        this.logger.warn(`reconnecting the model activation listener failed, retrying: ${this.lastError}`);
        wait = Math.min(wait * 2, RECONNECT.maxDelayMs);
      }
    }
  }
}
