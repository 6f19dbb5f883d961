import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Builds the example inbox into dist/examples/inbox/, which Herald serves at /examples/inbox/:
 * the page, and its script bundled with stream-chat's browser build (its `browser` export).
 */
export async function buildExamples(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const out = `${root}dist/examples/inbox`;
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [`${root}examples/inbox/inbox.ts`],
    outfile: `${out}/inbox.js`,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
  await copyFile(`${root}examples/inbox/index.html`, `${out}/index.html`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildExamples();
