import type { Alert, AlertNotification } from '@district-monitor/streams';

/**
 * Where the alert engine hands what it decided (implemented by alerts/delivery). The engine calls
 * these only after the change is committed in the database.
 */
export interface AlertPublisher {
  /** Alerts whose state, value or flags changed: pushed at once to their Socket.IO rooms as `alerts`. */
  publishAlerts(alerts: readonly Alert[]): void;
  /**
   * A grouped notification, already stored in `alert_notifications` (unique idempotency key): pushed to
   * the rooms as `alerts:notification` and fanned out to the matching webhook subscriptions.
   */
  notify(notification: AlertNotification): void;
}

export const ALERT_PUBLISHER = Symbol('AlertPublisher');
