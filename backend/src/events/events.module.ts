import { Global, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { EventBus, subscribeAll } from './event-bus.js';

/**
 * The event bus, for every module, and its subscriptions: once every provider exists (before any
 * start-up hook runs), each `@OnEvent` method of each provider instance is registered.
 */
@Global()
@Module({ imports: [DiscoveryModule], providers: [EventBus], exports: [EventBus] })
export class EventsModule implements OnModuleInit {
  private readonly logger = new Logger('EventBus');

  constructor(
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
  ) {}

  onModuleInit(): void {
    const instances = this.discovery.getProviders().map((wrapper) => wrapper.instance as unknown);
    const count = subscribeAll(this.bus, instances);
    this.logger.debug(`${count} event subscriptions`);
  }
}
