import { writeFileSync } from 'node:fs';

// Preloaded into the CLI process by the benchmark (node --import): Node cannot read a child's
// rusage, so the child writes its own peak resident set size (KiB) when it exits.
const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
