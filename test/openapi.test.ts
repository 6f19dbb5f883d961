import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { pino } from 'pino';
import { StreamErrorSchema } from '../src/http/response-schemas.js';
import { composeHerald } from '../src/main/compose.js';
import { sqliteBackend, type CreatedDatabase } from './support/backends.js';
import { TEST_API_KEY, TEST_API_SECRET } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  requestBody?: { content?: Record<string, unknown> };
}

/** Fastify's `/campaigns/:id` as OpenAPI writes it: `/campaigns/{id}`. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('the OpenAPI document at /docs/json and Swagger UI at /docs', () => {
  let created: CreatedDatabase;
  let app: FastifyInstance;
  let baseURL: string;
  let doc: Record<string, any>;
  // Every route as it was added, HEAD ones apart: Fastify adds a HEAD to each GET, and the
  // document leaves those out (@fastify/swagger's exposeHeadRoutes is off).
  const routes: Array<{ method: string; url: string; hidden: boolean }> = [];

  before(async () => {
    created = await sqliteBackend.create();
    const herald = composeHerald(created.database, { metrics: true });
    app = await herald.buildHttp({
      apiKey: TEST_API_KEY,
      apiSecret: TEST_API_SECRET,
      bodyLimitBytes: 1024 * 1024,
      corsOrigins: ['*'],
      logger: pino({ level: 'silent' }),
      isReady: () => true,
      // As `npm start` serves them, when they are built: static routes are in the list too.
      examplesDir: fileURLToPath(new URL('../dist/examples/', import.meta.url)),
      consoleDir: fileURLToPath(new URL('../dist/console/', import.meta.url)),
      onRoute: (route: RouteOptions) => {
        for (const method of [route.method].flat()) {
          if (method !== 'HEAD') routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
        }
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const response = await fetch(`${baseURL}/docs/json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await response.json()) as Record<string, any>;
  });
  after(async () => {
    await app?.close();
    await created?.dispose();
  });

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
      Object.entries(item).filter(([method]) => METHODS.includes(method)).map(([method, op]) => ({ path, method, op })),
    );

  it('is an OpenAPI 3 document: version, info, paths, and responses on every operation', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.equal(typeof doc.info.title, 'string');
    assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
    assert.equal(doc.duration, undefined, 'no Stream `duration` in the document');
    assert.ok(operations().length > 80, `${operations().length} operations`);
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(path.startsWith('/'), where);
      const statuses = Object.keys(op.responses ?? {});
      assert.ok(statuses.some((s) => /^(1|2)\d\d$/.test(s)), `${where} documents its success: ${statuses}`);
      for (const [status, response] of Object.entries(op.responses!)) {
        assert.match(status, /^([1-5](\d\d|XX)|default)$/, where);
        assert.equal(typeof response.description, 'string', `${where} ${status} has a description`);
      }
      // Each {param} of the path is a required path parameter.
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        assert.ok(op.parameters?.some((p) => p.in === 'path' && p.name === name && p.required), `${where} declares {${name}}`);
      }
    }
  });

  it('has every route the app serves, or hides it deliberately (schema.hide)', () => {
    assert.ok(routes.length > 80);
    const missing = routes
      .filter((r) => !r.hidden)
      .filter((r) => !doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(missing, []);
    // The UI's own routes are hidden, not the API's.
    for (const r of routes.filter((r) => r.hidden)) assert.ok(!r.url.startsWith('/api/') && !/^\/(campaigns|users|channels|segments|app)\b/.test(r.url), `${r.url} is hidden`);
    for (const path of ['/healthz', '/metrics', '/longpoll', '/connect', '/campaigns/{id}', '/api/v2/chat/campaigns/{id}', '/users', '/api/v2/users']) {
      assert.ok(doc.paths[path], `${path} documented`);
    }
  });

  it("is listed in the README's API table: every legacy route of the API, as `METHOD /path`", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## API surface'), readme.indexOf('\n## ', readme.indexOf('## API surface') + 5));
    const unlisted = operations()
      .filter(({ path }) => !path.startsWith('/api/') && !/^\/(docs|dashboard|examples)\b/.test(path))
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`)
      .filter((route) => !section.includes(`\`${route}\``));
    assert.deepEqual(unlisted, []);
  });

  it('gives both route families unique operation ids, the v2 one suffixed', () => {
    // Herald's own operations all have ids; a page another module adds without one (and
    // without hiding it) is documented all the same, under its path.
    const ids = operations().map(({ op }) => op.operationId).filter((id) => id !== undefined);
    assert.ok(ids.length > 80);
    for (const { path, method, op } of operations().filter((o) => o.path !== '/dashboard')) assert.ok(op.operationId, `${method} ${path} has an id`);
    assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
    const byId = new Map(operations().map((o) => [o.op.operationId!, o]));
    for (const { path, method, op } of operations().filter((o) => o.path.startsWith('/api/v2'))) {
      assert.match(op.operationId!, /V2$/, path);
      const legacy = byId.get(op.operationId!.replace(/V2$/, ''));
      assert.ok(legacy && legacy.method === method && path.endsWith(legacy.path), `${method} ${path} has its legacy twin`);
    }
  });

  it('documents request bodies, parameters and Stream\'s error object on the Stream routes', () => {
    const op = (path: string, method: string) => doc.paths[path][method] as Operation;
    assert.ok(op('/campaigns', 'post').requestBody?.content?.['application/json']);
    assert.ok(op('/api/v2/chat/campaigns/{id}/start', 'post').requestBody?.content?.['application/json']);
    assert.ok(op('/campaigns/{id}', 'get').parameters?.some((p) => p.in === 'query' && p.name === 'limit'));
    for (const { path, method, op: operation } of operations().filter((o) => o.op.operationId && !['Health', 'GetMetrics', 'Connect'].includes(o.op.operationId))) {
      for (const status of ['4XX', '5XX']) {
        const ref = operation.responses?.[status]?.content?.['application/json']?.schema?.$ref;
        assert.equal(ref, '#/components/schemas/StreamError', `${method.toUpperCase()} ${path} ${status}`);
      }
    }
    // Every $ref points into the document.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    assert.ok(refs.length > 0);
    for (const ref of new Set(refs)) {
      assert.match(ref, /^#\/components\/schemas\//);
      assert.ok(doc.components.schemas[ref.split('/').pop()!], ref);
    }
    // The API needs its key and a token; the health check, the metrics and the docs do not.
    assert.deepEqual(doc.security, [{ api_key: [], jwt: [] }]);
    assert.deepEqual(op('/healthz', 'get').operationId, 'Health');
    assert.deepEqual((op('/healthz', 'get') as { security?: unknown }).security, []);
  });

  it('describes the errors the server really sends', async () => {
    const unauthenticated = await rawCall(baseURL, 'GET', '/campaigns/x', { token: null });
    const invalid = await rawCall(baseURL, 'POST', '/campaigns', { body: json({ user_ids: 'not an array' }) });
    const missing = await rawCall(baseURL, 'GET', '/no/such/route');
    for (const answer of [unauthenticated, invalid, missing]) {
      assert.ok(answer.status >= 400);
      assert.ok(Value.Check(StreamErrorSchema, answer.body), `${answer.status} ${answer.text}`);
    }
    assert.deepEqual(doc.components.schemas.StreamError.required?.sort(), [...StreamErrorSchema.required!].sort());
  });

  it('serves Swagger UI without auth: the page, its bundle and its pointer to the document', async () => {
    const page = await fetch(`${baseURL}/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<div id="swagger-ui">/);
    for (const src of [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1])) {
      const asset = await fetch(new URL(src, `${baseURL}/docs`));
      assert.equal(asset.status, 200, src);
      assert.match(asset.headers.get('content-type') ?? '', /javascript/, src);
      if (src.endsWith('swagger-initializer.js')) assert.match(await asset.text(), /json/);
      else await asset.arrayBuffer();
    }
    assert.equal((await fetch(`${baseURL}/docs/yaml`)).status, 200);
  });
});
