import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { readRateTable } from '@district-monitor/data';
import type { Region } from '@district-monitor/streams';
import { createSimulator, type Simulator, type Surge } from '@district-monitor/streams/simulator';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, EVENT_PUBLISHER, REGION } from '../config/tokens.js';
import type { EventPublisher } from '../transport/transport.js';

const TICK_MS = 250;

/** Feeds simulated events into the transport while the embedded default runs (`SIMULATOR=on`). */
@Injectable()
export class SimulatorService {
  private readonly logger = new Logger('Simulator');
  private running = false;
  private loop: Promise<void> | undefined;
  private simulator: Simulator | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGION) private readonly region: Region,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  start(): void {
    const { enabled, ratePerSecond, seed, ratesFile } = this.config.simulator;
    if (!enabled || this.running) return;
    this.running = true;
    const rates = readRateTable(ratesFile, this.region);
    // Seeded per start so a restart does not re-send the ids of the previous run.
    const simulator = (this.simulator = createSimulator({
      region: this.region,
      ratePerSecond,
      ...(rates === undefined ? {} : { rates }),
      seed: seed * 1_000_003 + (Date.now() % 1_000_003),
    }));
    this.logger.log(
      `simulating ${ratePerSecond} events/s across ${this.region.name}, ${rates === undefined ? 'districts evenly (no rate table for this region)' : `calibrated by ${ratesFile}`}`,
    );
    this.loop = (async () => {
      simulator.tick(Date.now());
      while (this.running) {
        await delay(TICK_MS);
        const events = simulator.tick(Date.now());
        try {
          await this.publisher.publish(events);
        } catch (error) {
          this.logger.error(`${events.length} simulated events not published: ${String(error)}`);
        }
      }
    })();
  }

  /** Multiplies one district's simulated rate for a while (demos, alert tests); false if not simulating. */
  addSurge(surge: Surge): boolean {
    if (this.simulator === undefined || !this.running) return false;
    this.simulator.addSurge(surge);
    this.logger.log(
      `surge x${surge.factor} in ${surge.district}${surge.category === undefined ? '' : ` (${surge.category})`} until ${new Date(surge.untilMs).toISOString()}`,
    );
    return true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
