import { Injectable } from '@nestjs/common';
import { signWebhook } from './webhook-signature.js';

/** One attempt to deliver a notification to a subscription's URL. */
export interface WebhookRequest {
  readonly url: string;
  readonly secret: string;
  /** The AlertNotification as JSON: sent and signed byte for byte. */
  readonly body: string;
  readonly deliveryId: string;
  readonly idempotencyKey: string;
}

/** What an attempt came to: a 2xx answer, or the status (null without an answer) and why it failed. */
export type SendResult =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status: number | null; readonly error: string };

/** How much of a refusing receiver's answer is kept in the delivery log. */
const ERROR_BODY_CHARS = 200;

/** Signed HTTP POSTs with Node's fetch (the webhook worker's only network driver). */
@Injectable()
export class WebhookSender {
  async send(request: WebhookRequest, timeoutMs: number): Promise<SendResult> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        // A redirect is a failure: the signed body must not follow it to another host.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'district-monitor-webhooks',
          'Idempotency-Key': request.idempotencyKey,
          'X-DM-Delivery': request.deliveryId,
          'X-DM-Timestamp': String(timestamp),
          'X-DM-Signature': signWebhook(request.secret, timestamp, request.body),
        },
        body: request.body,
      });
      // Read to the end (under the same timeout) so the connection is reusable.
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
      const snippet = text.trim().slice(0, ERROR_BODY_CHARS);
      return {
        ok: false,
        status: response.status,
        error: `HTTP ${response.status}${snippet === '' ? '' : `: ${snippet}`}`,
      };
    } catch (error) {
      return { ok: false, status: null, error: describe(error, timeoutMs) };
    }
  }
}

/** A network failure in a line: the timeout, or the system error code fetch wraps (ECONNREFUSED ...). */
function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  if (error instanceof Error) {
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const detail = typeof cause?.message === 'string' ? cause.message : undefined;
    return [error.message, code, detail].filter((part) => part !== undefined).join(': ');
  }
  return String(error);
}
