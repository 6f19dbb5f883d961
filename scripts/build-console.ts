import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Builds the web console (console/) into dist/console/, which Herald serves at /dashboard/:
 * the page, its script (Preact and the pages, TSX compiled by esbuild) and its stylesheet.
 * Returns the gzip size of what a browser downloads, which the README states.
 */
export async function buildConsole(): Promise<{ files: Record<string, number>; gzipBytes: number }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const out = `${root}dist/console`;
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: { console: `${root}console/src/main.tsx`, styles: `${root}console/styles.css` },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(`${root}console/index.html`, `${out}/index.html`);
  const files: Record<string, number> = {};
  for (const name of ['index.html', 'console.js', 'styles.css']) {
    files[name] = gzipSync(await readFile(`${out}/${name}`), { level: 9 }).length;
  }
  return { files, gzipBytes: Object.values(files).reduce((a, b) => a + b, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, gzipBytes } = await buildConsole();
  const list = Object.entries(files).map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KiB`).join(', ');
  console.log(`console: ${(gzipBytes / 1024).toFixed(1)} KiB gzipped (${list})`);
}
