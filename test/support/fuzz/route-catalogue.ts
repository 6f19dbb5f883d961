/**
 * Every HTTP route Herald serves, read from its own OpenAPI document (`GET /docs/json`, built by
 * @fastify/swagger from each route's TypeBox schemas): a route added tomorrow is fuzzed
 * tomorrow, with its own parameters and body schema.
 */

export type JsonSchema = Record<string, any>;

export interface Parameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface FuzzRoute {
  method: string;
  /** The OpenAPI path, `/campaigns/{id}`. */
  path: string;
  operationId: string;
  family: 'legacy' | 'v2';
  pathParams: Parameter[];
  query: Parameter[];
  /** The JSON body's schema, $refs resolved; undefined when the route takes none. */
  body?: JsonSchema;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export async function loadCatalogue(baseURL: string): Promise<FuzzRoute[]> {
  const response = await fetch(new URL('/docs/json', baseURL));
  if (response.status !== 200) throw new Error(`GET /docs/json answered ${response.status}`);
  const doc = (await response.json()) as JsonSchema;
  const components = (doc.components?.schemas ?? {}) as Record<string, JsonSchema>;
  const routes: FuzzRoute[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, JsonSchema>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const parameters = ((op.parameters ?? []) as JsonSchema[]).map((p) => ({
        in: p.in as string,
        name: p.name as string,
        required: p.required === true || p.in === 'path',
        schema: resolveRefs(p.schema ?? {}, components),
      }));
      const body = op.requestBody?.content?.['application/json']?.schema;
      routes.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        family: path.startsWith('/api/v2') ? 'v2' : 'legacy',
        pathParams: parameters.filter((p) => p.in === 'path'),
        // api_key and authorization are the fuzzer's own business (fuzz-request.ts).
        query: parameters.filter((p) => p.in === 'query' && p.name !== 'api_key' && p.name !== 'authorization'),
        body: body ? resolveRefs(body, components) : undefined,
      });
    }
  }
  return routes;
}

/** The schema with every `$ref` to a component replaced by the component (they do not recurse). */
function resolveRefs(schema: JsonSchema, components: Record<string, JsonSchema>, depth = 0): JsonSchema {
  if (depth > 30 || schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((s) => resolveRefs(s, components, depth + 1));
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    return resolveRefs(components[name] ?? {}, components, depth + 1);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolveRefs(v, components, depth + 1)]));
}
