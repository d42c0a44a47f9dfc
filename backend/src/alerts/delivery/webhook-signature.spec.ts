import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

const SECRET = 'whsec_test';
const BODY = '{"id":"n1","kind":"firing"}';
const AT = 1_700_000_000;
/** `printf '%s' '1700000000.{"id":"n1","kind":"firing"}' | openssl dgst -sha256 -hmac whsec_test` */
const OPENSSL = 'sha256=ce3147e47c11b89c0d450e3ef462fabb3a6ee40a1f5ce34adabf769176001eb2';

describe('signWebhook', () => {
  it('is HMAC-SHA256 of "timestamp.body" in hex, as openssl computes it', () => {
    expect(signWebhook(SECRET, AT, BODY)).toBe(OPENSSL);
    expect(signWebhook(SECRET, String(AT), BODY)).toBe(OPENSSL);
  });
});

describe('verifyWebhook', () => {
  const now = { nowSeconds: AT + 10 };

  it('accepts the signature of the body as sent', () => {
    expect(verifyWebhook(SECRET, String(AT), BODY, OPENSSL, now)).toBe(true);
  });

  it('refuses a changed body, another secret, another timestamp or a malformed signature', () => {
    expect(verifyWebhook(SECRET, AT, BODY.replace('firing', 'resolved'), OPENSSL, now)).toBe(false);
    expect(verifyWebhook('whsec_other', AT, BODY, OPENSSL, now)).toBe(false);
    expect(verifyWebhook(SECRET, AT + 1, BODY, OPENSSL, now)).toBe(false);
    expect(verifyWebhook(SECRET, AT, BODY, OPENSSL.slice(0, -2), now)).toBe(false);
    expect(verifyWebhook(SECRET, AT, BODY, OPENSSL.replace('sha256=', 'sha1='), now)).toBe(false);
    expect(verifyWebhook(SECRET, 'yesterday', BODY, OPENSSL, now)).toBe(false);
  });

  it('refuses a timestamp outside the tolerance (a replayed request)', () => {
    expect(verifyWebhook(SECRET, AT, BODY, OPENSSL, { nowSeconds: AT + 300 })).toBe(true);
    expect(verifyWebhook(SECRET, AT, BODY, OPENSSL, { nowSeconds: AT + 301 })).toBe(false);
    expect(verifyWebhook(SECRET, AT, BODY, OPENSSL, { nowSeconds: AT - 301 })).toBe(false);
    expect(verifyWebhook(SECRET, AT, BODY, OPENSSL, { nowSeconds: AT + 3600, toleranceSeconds: 3600 })).toBe(
      true,
    );
  });
});
