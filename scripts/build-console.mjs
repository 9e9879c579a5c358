// Builds the web console (console/) into the Worker's static assets:
//
//   dist/site/console/index.html          the page, naming the hashed files below
//   dist/site/console/assets/*.js, *.css  ES modules split per page (content-hashed names)
//   dist/site/_headers                    cache and security headers for Workers static assets
//
// wrangler.toml's [assets] serves dist/site, so `npm start` (wrangler dev) and
// `wrangler deploy` ship the console with the Worker; the Worker answers the
// console's own routes (/console/views/...) with index.html (src/http/console.ts).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { gzipSync } from "node:zlib";

/** Where the console is served from: the page's absolute URLs start here. */
export const CONSOLE_BASE = "/console/";

/**
 * The Content-Security-Policy of the console's pages: scripts and styles
 * from the Worker's own origin only (so a pasted token cannot be read by
 * injected script from elsewhere); inline style attributes are allowed
 * because the charts set them.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

const HEADERS = `# Written by scripts/build-console.mjs (Workers static assets headers).
/console/assets/*
  Cache-Control: public, max-age=31536000, immutable
/console/*
  Content-Security-Policy: ${CONSOLE_CSP}
  X-Content-Type-Options: nosniff
  Referrer-Policy: no-referrer
`;

function page(entry, css, preload) {
  const links = [
    ...css.map((href) => `<link rel="stylesheet" href="${href}">`),
    ...preload.map((href) => `<link rel="modulepreload" href="${href}">`),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Larder console</title>
<link rel="icon" href="data:,">
${links.join("\n")}
<script type="module" src="${entry}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the Larder console…</p></div>
<noscript>The Larder console needs JavaScript. The API is at /api/v1/features (see /api/v1/features/openapi.json).</noscript>
</body>
</html>
`;
}

/**
 * Bundles console/src/main.tsx with esbuild (minified, split per page),
 * writes index.html and _headers under `outdir`, and returns each file's
 * size, raw and gzipped, with `initial` (what the first page loads: the
 * entry, its static imports and the CSS).
 */
export async function buildConsole({ root, outdir = join(root, "dist/site") }) {
  const { build } = await import("esbuild");
  const assets = join(outdir, "console/assets");
  rmSync(join(outdir, "console"), { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: "console/src/main.tsx" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: assets,
    entryNames: "[name]-[hash]",
    chunkNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const outputs = result.metafile.outputs;
  const url = (file) => `${CONSOLE_BASE}${relative(join(outdir, "console"), join(root, file)).replaceAll("\\", "/")}`;
  const [entryFile] = Object.keys(outputs).filter((f) => outputs[f].entryPoint === "console/src/main.tsx");
  const css = Object.keys(outputs).filter((f) => f.endsWith(".css"));
  const staticImports = outputs[entryFile].imports.filter((i) => i.kind === "import-statement").map((i) => i.path);
  writeFileSync(join(outdir, "console/index.html"), page(url(entryFile), css.map(url), staticImports.map(url)));
  writeFileSync(join(outdir, "_headers"), HEADERS);

  const files = Object.keys(outputs)
    .filter((f) => !f.endsWith(".map"))
    .map((f) => {
      const bytes = readFileSync(join(root, f));
      return { file: basename(f), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  const initialNames = new Set([entryFile, ...css, ...staticImports].map((f) => basename(f)));
  const sum = (list) => list.reduce((n, f) => n + f.gzip, 0);
  return {
    files,
    gzipTotal: sum(files),
    gzipInitial: sum(files.filter((f) => initialNames.has(f.file))),
  };
}
