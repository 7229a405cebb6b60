#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts an ES module entry point ~6 ms slower, for its ESM loader.
require('./load-cli.js').run()
