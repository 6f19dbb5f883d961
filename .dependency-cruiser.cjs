// Keeps the layering of docs/style.md true: imports point down, storage is wired only by main.
module.exports = {
  forbidden: [
    { name: 'domain-is-pure', severity: 'error',
      from: { path: '^src/domain' }, to: { path: '^src/(?!domain)|^node_modules/(kysely|better-sqlite3|pg|fastify)' } },
    { name: 'only-storage-touches-the-database', severity: 'error',
      from: { path: '^src/(?!storage|main)' }, to: { path: 'node_modules/(kysely|better-sqlite3|pg)/' } },
    { name: 'app-below-edges', severity: 'error',
      from: { path: '^src/app' }, to: { path: '^src/(http|sender|webhooks|realtime|storage|main|cli)' } },
    { name: 'storage-below-app', severity: 'error',
      from: { path: '^src/storage' }, to: { path: '^src/(http|sender|webhooks|realtime|main|cli)' } },
    { name: 'edges-do-not-reach-storage', severity: 'error',
      from: { path: '^src/(http|sender|webhooks|realtime)' }, to: { path: '^src/(storage|main)' } },
    { name: 'realtime-is-its-own-edge', severity: 'error',
      from: { path: '^src/realtime' }, to: { path: '^src/(http|sender|webhooks)' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
