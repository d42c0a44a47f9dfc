import type { NextFunction, Request, Response } from 'express';

/**
 * The Content-Security-Policy of the board and the API: scripts, styles, images and connections from
 * this origin only (ApexCharts sets inline styles, hence 'unsafe-inline' for styles alone); no plugin
 * content; no framing by any site (clickjacking of Acknowledge, Resolve and Silence).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers set on every answer (docs/security.md). `hsts`: the service is reached over TLS only. */
export function securityHeaders(options: { hsts: boolean }) {
  return (_request: Request, response: Response, next: NextFunction): void => {
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (options.hsts) response.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
