import { Injectable } from '@nestjs/common';
import type { AppEventName, AppEvents } from './app-events.js';

type Handler<K extends AppEventName> = (payload: AppEvents[K]) => unknown;

/**
 * The typed in-process event bus of the batch path (in the manner of immich's `EventRepository` and
 * `@OnEvent`). Services emit; subscribers declare `@OnEvent(name)` on a method and are registered at start
 * (events.module.ts), or by {@link subscribeAll} where a test or bench wires services by hand.
 */
@Injectable()
export class EventBus {
  private readonly handlers = new Map<AppEventName, Handler<AppEventName>[]>();

  /** Adds a handler; returns its removal. */
  on<K extends AppEventName>(name: K, handler: Handler<K>): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as Handler<AppEventName>);
    this.handlers.set(name, list);
    return () => {
      const at = list.indexOf(handler as Handler<AppEventName>);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /** Calls every handler of `name` in registration order; a handler's error reaches the emitter. */
  emit<K extends AppEventName>(name: K, payload: AppEvents[K]): void {
    for (const handler of this.handlers.get(name) ?? []) handler(payload);
  }

  /** Handlers of `name` (health and tests). */
  count(name: AppEventName): number {
    return this.handlers.get(name)?.length ?? 0;
  }
}

/** Methods marked with `@OnEvent`, per class prototype. */
const subscriptions = new WeakMap<
  object,
  { readonly name: AppEventName; readonly method: string | symbol }[]
>();

/**
 * Marks a method as a subscriber of `name`: its first parameter takes the event's payload (it may take
 * none). Registered on the bus for every instance Nest creates (events.module.ts).
 */
export function OnEvent<K extends AppEventName>(name: K) {
  return <T extends (payload: AppEvents[K]) => unknown>(
    target: object,
    method: string | symbol,
    _descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    const list = subscriptions.get(target) ?? [];
    list.push({ name, method });
    subscriptions.set(target, list);
  };
}

/** The `@OnEvent` subscriptions of an instance's class and its ancestors. */
function subscriptionsOf(
  instance: object,
): { readonly name: AppEventName; readonly method: string | symbol }[] {
  const found = [];
  for (
    let proto: unknown = Object.getPrototypeOf(instance);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    found.push(...(subscriptions.get(proto as object) ?? []));
  }
  return found;
}

/** Registers every `@OnEvent` method of `instances` on `bus` (each instance once); returns how many. */
export function subscribeAll(bus: EventBus, instances: Iterable<unknown>): number {
  let count = 0;
  for (const instance of new Set(instances)) {
    if (typeof instance !== 'object' || instance === null) continue;
    for (const { name, method } of subscriptionsOf(instance)) {
      const fn = (instance as Record<string | symbol, unknown>)[method];
      if (typeof fn !== 'function')
        throw new TypeError(`@OnEvent('${name}') marks ${String(method)}, not a method`);
      bus.on(name, (payload) => (fn as (payload: unknown) => unknown).call(instance, payload));
      count++;
    }
  }
  return count;
}
