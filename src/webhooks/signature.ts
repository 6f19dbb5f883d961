import { createHmac } from 'node:crypto';

/** Stream's X-Signature: lowercase hex HMAC-SHA256 of the raw body, keyed with the API secret. */
export const signBody = (body: string, secret: string): string => createHmac('sha256', secret).update(body).digest('hex');
