#!/usr/bin/env node
/**
 * The notebook widgets' front end: src/widgets/index.ts bundled by esbuild
 * into one ES module (forgather_lab/widgets/static/forgather.js, anywidget's
 * `_esm`) and its stylesheet (forgather.css, `_css`), xterm.js and uPlot
 * included. One file with no imports: anywidget loads it from a string.
 *
 *   node scripts/build-widgets.mjs          # minified, as shipped
 *   node scripts/build-widgets.mjs --dev    # not minified, readable in the browser's tools
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');

/** The widgets run in any anywidget host: nothing of JupyterLab may be bundled. */
const noJupyterLab = {
  name: 'no-jupyterlab',
  setup(build) {
    build.onResolve({ filter: /^@jupyterlab\// }, args => ({
      errors: [
        {
          text: `${args.path} imported by ${args.importer}: the widget bundle must not depend on JupyterLab`
        }
      ]
    }));
  }
};

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { forgather: 'src/widgets/index.ts' },
  outdir: '../forgather_lab/widgets/static',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: !dev,
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  plugins: [noJupyterLab]
});

for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
}
