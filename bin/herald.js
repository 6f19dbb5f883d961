#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm run herald` runs the sources through tsx.
import '../dist/cli/herald.js';
