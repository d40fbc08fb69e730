#!/usr/bin/env node
// The `milvus-otel` command. The CLI itself is built into dist/; this file exists before any build, so that
// installing a workspace that depends on this package links the command without a warning.
await import('../dist/cli.js');
