#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts an ES module entry point ~6 ms slower, for its ESM loader.

// Keep V8's young generation at its starting size. A log stream read at full speed makes garbage fast and
// V8 answers by doubling the semi-spaces up to 16 MB each, while network chunks wait longer for the
// scavenge that frees them: RSS grew ~40 MB over a million followed lines. `--max-semi-space-size` has no
// effect once the heap exists, but the growth factor is read at every resize (docs/performance.md). Set
// only once the bundle is compiled: V8 rejects a code cache made under other flags.
require('./load-cli.js').run({beforeRun: () => require('node:v8').setFlagsFromString('--semi-space-growth-factor=1')})
