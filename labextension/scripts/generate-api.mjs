#!/usr/bin/env node
/**
 * The API types from the contract: docs/openapi.json (generated from the
 * pydantic models by `python -m forgather_lab.handlers.openapi`) becomes
 * src/generated/openapi.ts through openapi-typescript.
 *
 *   node scripts/generate-api.mjs          # write the file
 *   node scripts/generate-api.mjs --check  # fail when the committed file is stale
 *
 * FORGATHER_OPENAPI=path overrides the input (a document not yet committed).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import openapiTS, { astToString } from 'openapi-typescript';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const input = resolve(process.env.FORGATHER_OPENAPI ?? resolve(root, '../docs/openapi.json'));
const output = resolve(root, 'src/generated/openapi.ts');
const check = process.argv.includes('--check');

const HEADER = `/* eslint-disable */
/**
 * Generated from docs/openapi.json by \`npm run generate:api\`
 * (scripts/generate-api.mjs, openapi-typescript): do not edit by hand.
 * \`npm run lint\` and the build fail when this file is stale.
 */
`;

const ast = await openapiTS(pathToFileURL(input), {
  // Every property the models declare required is required here too; an
  // optional one (a default on the server) stays optional.
  defaultNonNullable: false,
  alphabetize: true
});
const text = HEADER + astToString(ast);

if (check) {
  const committed = await readFile(output, 'utf8').catch(() => '');
  if (committed !== text) {
    console.error(
      `${relative(process.cwd(), output)} is stale: it does not match ${relative(process.cwd(), input)}.\n` +
        'Run `npm run generate:api` in labextension/ and commit the result.'
    );
    process.exit(1);
  }
} else {
  await writeFile(output, text);
  console.log(`${relative(process.cwd(), input)} → ${relative(process.cwd(), output)}`);
}
