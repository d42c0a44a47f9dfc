/**
 * How the model registries of several replicas agree: who trains, and who hears that a version was
 * activated. On a PostgreSQL server (plain or TimescaleDB) that is the server's `LISTEN/NOTIFY` and an
 * advisory lock (`database/model-coordination.repository.ts`); on the embedded PGlite, one process holds the
 * database, so the registry's own state is all there is ({@link LocalModelCoordination}).
 */

/** The database's channel that every activation notifies (in its transaction, so on commit). */
export const ACTIVATION_CHANNEL = 'model_activated';

/** The right to train, held until released (one training at a time across replicas). */
export interface TrainingLease {
  release(): Promise<void>;
}

/** Why the registry looks at the stored active version again. */
export type ActivationCheck = 'notified' | 'reconnected' | 're-check' | 'activated here';

export interface CoordinationHealth {
  readonly kind: 'in-process' | 'postgres';
  /** Whether the activation listener is connected (always true in-process). */
  readonly listening: boolean;
  /** Notifications received since start. */
  readonly notifications: number;
  /** Times the listener connection was lost and connected again. */
  readonly reconnects: number;
  readonly lastError: string | null;
}

export interface ModelCoordination {
  readonly kind: 'in-process' | 'postgres';
  /**
   * Calls `onActivation` whenever another replica may have activated a version: on each notification,
   * and after the listener reconnects (a notification sent meanwhile is lost). Returns once the first
   * connection was tried; a failure is logged and retried in the background.
   */
  follow(onActivation: (check: ActivationCheck) => void): Promise<void>;
  /** The training lease, or null when another replica holds it. */
  tryLockTraining(): Promise<TrainingLease | null>;
  stop(): Promise<void>;
  health(): CoordinationHealth;
}

/** One process owns the database (PGlite): nothing to hear from, and the registry serialises its trainings. */
export class LocalModelCoordination implements ModelCoordination {
  readonly kind = 'in-process' as const;

  follow(): Promise<void> {
    return Promise.resolve();
  }

  tryLockTraining(): Promise<TrainingLease> {
    return Promise.resolve({ release: () => Promise.resolve() });
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  health(): CoordinationHealth {
    return { kind: 'in-process', listening: true, notifications: 0, reconnects: 0, lastError: null };
  }
}
