import fastifyStatic from '@fastify/static';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../domain/errors.js';
import { sendStreamError } from './plugins/errors.js';

/**
 * The console is a page that holds a server token: no other site may frame it (clickjacking),
 * and it loads scripts and styles only from here and calls only this origin's API, so an
 * injected script could neither run nor send the token elsewhere.
 */
const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/**
 * The web console (console/, bundled by `npm run build` into dist/console), served at
 * /dashboard/ by every process with the API. It calls the public REST API with a server token
 * like any SDK: this module serves files, nothing more.
 */
export async function registerConsole(app: FastifyInstance, dir: string): Promise<void> {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    const notBuilt = async (_request: unknown, reply: Parameters<typeof sendStreamError>[0]) =>
      sendStreamError(reply, 'Console', ErrorCode.doesNotExist, 'the console is not built: run npm run build');
    app.get('/dashboard', { schema: { hide: true } }, notBuilt);
    app.get('/dashboard/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  const index = readFileSync(indexFile);
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.headers(CONSOLE_HEADERS);
      return payload;
    });
    // reply.sendFile belongs to the examples' registration; this one serves by its routes only.
    // Files, not API: hidden from the OpenAPI document, as the examples are.
    await scope.register(fastifyStatic, { root: dir, prefix: '/dashboard/', index: false, decorateReply: false, schemaHide: true });
    // The router ignores trailing slashes, so /dashboard/ lands here too (see registerExamples).
    scope.get('/dashboard', { schema: { hide: true } }, (_request, reply) => reply.type('text/html; charset=utf-8').send(index));
  });
}
