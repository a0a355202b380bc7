// The origin behind the workers of benches/edge-load.mjs, in its own process (so autocannon's
// event loop does not serve it too): the demo site's static files (www/, `/pricing` →
// www/pricing.html) and a collector stub (POST /collect → 204), on 127.0.0.1. Standing in for
// `leadpulse serve` keeps the bench off the collector's command line: the row measures workerd's
// CPU, which does not depend on what the origin is. Prints its URL; runs until killed.
//   node benches/edge-origin.mjs
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const www = fileURLToPath(new URL('../www', import.meta.url));
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml', '.json': 'application/json' };

async function file(path) {
  const base = normalize(join(www, path));
  if (!base.startsWith(www)) return null;
  for (const candidate of [base, base + '.html', join(base, 'index.html')]) {
    try {
      return { body: await readFile(candidate), type: types[extname(candidate)] ?? 'application/octet-stream' };
    } catch { /* next candidate */ }
  }
  return null;
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (req.method === 'POST' && path === '/collect') {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
    return;
  }
  const found = await file(path);
  if (!found) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': found.type });
  res.end(found.body);
});
server.listen(0, '127.0.0.1', () => console.log(`edge-origin: http://127.0.0.1:${server.address().port}`));
