#!/usr/bin/env node
// Serves the built console (web/dist) on 127.0.0.1 with correct MIME types and a strict CSP header.
// Port: --port N, else $PORT, else 8080 (0 picks a free port). No dependency.
//   node web/serve.mjs [--port N] [--dir path] [--frame-ancestors ORIGINS]
// --frame-ancestors: who may show the console in an <iframe> (?embed=<blade>), the CSP
// frame-ancestors sources, e.g. "https://docs.example.com 'self'"; default 'self'.
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/** Who may frame the console unless told otherwise (CSP frame-ancestors). */
export const DEFAULT_FRAME_ANCESTORS = "'self'";

/**
 * The CSP header with its frame-ancestors sources (space- or comma-separated origins, 'self',
 * 'none'); anything else in them is refused, so a typo cannot open the console to every site.
 * @param {string} [frameAncestors]
 */
export function cspHeader(frameAncestors = DEFAULT_FRAME_ANCESTORS) {
  const sources = String(frameAncestors).split(/[\s,]+/).filter(Boolean);
  for (const source of sources) {
    if (!/^('self'|'none'|https?:\/\/[a-z0-9.-]+(:\d+)?|https?:\/\/\*\.[a-z0-9.-]+(:\d+)?)$/i.test(source)) {
      throw new Error(`--frame-ancestors: "${source}" is not an origin (https://host[:port]), 'self' or 'none'`);
    }
  }
  return `${CSP}; frame-ancestors ${sources.length ? sources.join(' ') : DEFAULT_FRAME_ANCESTORS}`;
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

function argValue(name) {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : undefined;
}

/** Creates (does not start) the server for `dir`; `frameAncestors` as cspHeader takes them. */
export function createServer(dir, { frameAncestors } = {}) {
  const rootDir = path.resolve(dir);
  const csp = cspHeader(frameAncestors);
  return http.createServer(async (req, res) => {
    const headers = {
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Bad request\n');
      return;
    }
    let file = path.resolve(rootDir, `.${pathname}`);
    if (file !== rootDir && !file.startsWith(rootDir + path.sep)) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Forbidden\n');
      return;
    }
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': info.size });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
    }
  });
}

/** Starts serving; resolves {server, port, url}. */
export function serve({ dir = path.join(here, 'dist'), port = 8080, host = '127.0.0.1', frameAncestors } = {}) {
  let server;
  try {
    server = createServer(dir, { frameAncestors });
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      resolve({ server, port: actual, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(argValue('--port') ?? process.env.PORT ?? 8080);
  const dir = argValue('--dir') ?? path.join(here, 'dist');
  serve({ dir, port, frameAncestors: argValue('--frame-ancestors') }).then(({ url }) => {
    console.log(`serving ${dir} on ${url}`);
  }, (err) => {
    console.error(`serve: ${err.message}`);
    process.exit(1);
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
}
