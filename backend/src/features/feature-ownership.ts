import { setTimeout as delay } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ownedDistricts } from '../alerts/engine/ownership.js';
import type { Assignment, EventSource } from '../transport/transport.js';
import { AggregateRefresher } from './aggregate-refresher.js';
import { FeatureService } from './feature.service.js';

/** A batch waits this long for the assignment after a (re)join before every district is reloaded instead. */
export const ASSIGNMENT_WAIT_MS = 20_000;
/** While a batch waits at the gate it keeps the group membership alive this often. */
const HEARTBEAT_MS = 1_000;
/** Backoff of a reload that failed (the database unreachable): batches wait meanwhile. */
const RELOAD_RETRY = { initialDelayMs: 500, maxDelayMs: 10_000 } as const;

/** What the gate needs of the features and of the aggregates (the classes, or fakes in specs). */
export type Cubes = Pick<FeatureService, 'reload' | 'districtCodes'>;
export type Aggregates = Pick<AggregateRefresher, 'drain'>;

export interface FeatureOwnershipHealth {
  /** Whether batches wait for a reload (or for the assignment after a rebalance). */
  readonly gateClosed: boolean;
  readonly reloads: number;
  readonly reloadedDistricts: number;
  readonly lastReload: { readonly districts: number; readonly rows: number; readonly ms: number } | null;
  readonly lastError: string | null;
}

interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * Keeps each replica's feature cubes exact whichever replica owns a district: on every new assignment of
 * the incident topic's partitions, the districts it holds are reloaded from the hourly aggregates (after
 * a drain of the aggregate refresh queue, so the previous owner's last batches are in them) BEFORE any
 * batch is applied again. Batches pass through {@link run}: from a rebalance (assignment null) until the
 * reload of the next assignment is done they wait, and a reload starts only once the batches already
 * past the gate have finished, so no change is counted twice or missed.
 *
 * The in-process transport holds every district from the start, and `FeatureService.load` is exact: the
 * gate stays open there.
 */
@Injectable()
export class FeatureOwnership {
  private readonly logger = new Logger('FeatureOwnership');
  private closed: Gate | undefined;
  /** Bumped by every assignment change; a reload opens the gate only if none came after it. */
  private generation = 0;
  private chain: Promise<void> = Promise.resolve();
  private inflight = 0;
  private drained: (() => void)[] = [];
  private stopped = false;
  private reloads = 0;
  private reloadedDistricts = 0;
  private lastReload: FeatureOwnershipHealth['lastReload'] = null;
  private lastError: string | null = null;

  constructor(
    @Inject(FeatureService) private readonly cubes: Cubes,
    @Inject(AggregateRefresher) private readonly aggregates: Aggregates,
  ) {}

  /** Follows the source's assignment; call before the source starts (a Kafka source joins in the background). */
  follow(source: Pick<EventSource, 'kind' | 'onAssignment'>): void {
    if (source.kind === 'in-process') return;
    this.close();
    source.onAssignment((assignment) => {
      this.assignmentChanged(assignment);
    });
  }

  /** Called on each assignment change: null closes the gate, an assignment reloads what it holds. */
  assignmentChanged(assignment: Assignment | null, now?: number): void {
    this.close();
    const generation = ++this.generation;
    if (assignment === null) return;
    const codes = [...ownedDistricts(this.cubes.districtCodes, assignment)];
    const what = `partitions [${assignment.partitions.join(', ')}] of ${assignment.partitionCount}`;
    this.reloadThenOpen(codes, what, generation, now);
  }

  /**
   * Runs one batch's work once the gate is open, counted as in flight. `heartbeat` keeps the consumer's
   * membership alive while it waits.
   */
  async run<T>(work: () => Promise<T>, heartbeat: () => Promise<void> = () => Promise.resolve()): Promise<T> {
    const since = Date.now();
    while (this.closed !== undefined) {
      const waiting = this.closed;
      const ticked = await Promise.race([
        waiting.opened.then(() => false),
        delay(HEARTBEAT_MS).then(() => true),
      ]);
      if (!ticked) continue;
      await heartbeat();
      if (this.closed === waiting && Date.now() - since > ASSIGNMENT_WAIT_MS && this.inflightReload === 0) {
        // No assignment came (reading the partition count failed, say): every district is reloaded.
        this.logger.warn(
          `no partition assignment ${ASSIGNMENT_WAIT_MS / 1000} s after the consumer (re)joined; reloading every district's features`,
        );
        this.reloadThenOpen([...this.cubes.districtCodes], 'every district', ++this.generation);
      }
    }
    this.inflight++;
    try {
      return await work();
    } finally {
      this.inflight--;
      if (this.inflight === 0) for (const wake of this.drained.splice(0)) wake();
    }
  }

  /** Opens the gate for good (shutdown): batches in hand finish, nothing reloads any more. */
  stop(): void {
    this.stopped = true;
    this.closed?.open();
    this.closed = undefined;
  }

  health(): FeatureOwnershipHealth {
    return {
      gateClosed: this.closed !== undefined,
      reloads: this.reloads,
      reloadedDistricts: this.reloadedDistricts,
      lastReload: this.lastReload,
      lastError: this.lastError,
    };
  }

  /** Reloads queued or running (the fallback above starts one only when none is). */
  private inflightReload = 0;

  private close(): void {
    if (this.stopped) return;
    this.closed ??= gate();
  }

  private reloadThenOpen(codes: readonly string[], what: string, generation: number, now?: number): void {
    this.inflightReload++;
    this.chain = this.chain
      .then(() => this.reload(codes, what, generation, now))
      .finally(() => {
        this.inflightReload--;
        if (generation !== this.generation || this.closed === undefined) return;
        this.closed.open();
        this.closed = undefined;
      });
  }

  /** Reloads `codes` once no batch is in flight; retried until it works or a newer assignment replaces it. */
  private async reload(
    codes: readonly string[],
    what: string,
    generation: number,
    now?: number,
  ): Promise<void> {
    await this.noBatchInFlight();
    let wait: number = RELOAD_RETRY.initialDelayMs;
    while (generation === this.generation && !this.stopped) {
      const started = performance.now();
      try {
        await this.aggregates.drain();
        const rows = await this.cubes.reload(codes, now);
        const ms = Math.round(performance.now() - started);
        this.reloads++;
        this.reloadedDistricts += codes.length;
        this.lastReload = { districts: codes.length, rows, ms };
        this.lastError = null;
        this.logger.log(
          `features of ${codes.length} districts reloaded for ${what}: ${rows} hourly rows in ${ms} ms`,
        );
        return;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.error(
          `reloading the features of ${codes.length} districts failed; batches wait, retrying in ${wait} ms: ${this.lastError}`,
        );
        await delay(wait);
        wait = Math.min(wait * 2, RELOAD_RETRY.maxDelayMs);
      }
    }
  }

  private noBatchInFlight(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }
}
