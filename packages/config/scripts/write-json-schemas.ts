// Writes the JSON Schemas next to the build: dist/schemas/<name>.schema.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsonSchemas } from '../dist/server.js';

const dir = new URL('../dist/schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(new URL(`${name}.schema.json`, dir), `${JSON.stringify(schema, null, 2)}\n`);
}
