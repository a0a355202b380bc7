// Runs a worker in real workerd on a free loopback port and returns its first response's body:
// what the package tests need of workerd (the edge tests have a fuller harness).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const workerd = fileURLToPath(new URL('../../node_modules/.bin/workerd', import.meta.url));

const freePort = () => new Promise((resolve, reject) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  }).on('error', reject);
});

/// `modules`: [name, kind ('esModule' | 'wasm')] of files in `dir`, the first the main module.
/// The worker is stopped when the test `t` ends.
export async function fetchFromWorker(t, dir, modules) {
  const list = modules.map(([name, kind]) => `(name = ${JSON.stringify(name)}, ${kind} = embed ${JSON.stringify(name)})`);
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .w)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")]);
const w :Workerd.Worker = (compatibilityDate = "2025-01-01", modules = [
  ${list.join(',\n  ')}]);
`);
  const port = await freePort();
  const child = spawn(workerd, ['serve', 'config.capnp', '--socket-addr', `http=127.0.0.1:${port}`],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  t.after(() => child.kill());
  // Polls until workerd listens (a fresh start takes a few hundred ms), at most 10 s.
  for (let i = 0; i < 100; i += 1) {
    assert.equal(child.exitCode, null, `workerd exited: ${stderr}`);
    const body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => undefined);
    if (body !== undefined) return { body, stderr: () => stderr };
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`workerd did not answer within 10 s: ${stderr}`);
}
