import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type { Region } from '@district-monitor/streams';
import { createSimulator, type Simulator, type Surge } from '@district-monitor/streams/simulator';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, EVENT_PUBLISHER, REGION } from '../config/tokens.js';
import { RegionMapService } from '../region/region-map.service.js';
import type { EventPublisher } from '../transport/transport.js';
import { sharedSimulatorOptions } from './simulator-options.js';

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
    @Inject(RegionMapService) private readonly map: Pick<RegionMapService, 'map'>,
  ) {}

  /** Starts the live feed; `fromMs` (the backfill's end) makes it continue the backfilled history without a gap. */
  start(fromMs?: number): void {
    const { enabled, seed, ratesFile } = this.config.simulator;
    if (!enabled || this.running) return;
    this.running = true;
    const { calibrated, ...options } = sharedSimulatorOptions(this.config, this.region, this.map.map);
    // Seeded per start so a restart does not re-send the ids of the previous run.
    const simulator = (this.simulator = createSimulator({
      ...options,
      seed: seed * 1_000_003 + (Date.now() % 1_000_003),
    }));
    const perSecond = simulator.naturalRatePerSecond * simulator.multiplier;
    this.logger.log(
      `simulating ${formatRate(perSecond)} across ${this.region.name} (x${simulator.multiplier.toPrecision(3)} the table's volume), ` +
        `${calibrated ? `calibrated by ${ratesFile}` : 'districts evenly (no rate table for this region)'}; ` +
        `events placed inside the ${this.map.map.source} map's outlines`,
    );
    this.loop = (async () => {
      simulator.tick(Math.min(fromMs ?? Date.now(), Date.now()));
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

/** "0.0058 events/s (183,076 a year)". */
export function formatRate(perSecond: number): string {
  const yearly = Math.round(perSecond * 365.25 * 86_400).toLocaleString('en-US');
  return `${perSecond.toPrecision(2)} events/s (${yearly} a year)`;
}
