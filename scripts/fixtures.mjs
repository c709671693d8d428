#!/usr/bin/env node
// `npm run fixtures`: regenerates the PyTorch fixtures under test/fixtures/ with Debian's PyTorch
// (/usr/bin/python3, package python3-torch): generate.py, then every gen_<family>.py beside it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');
const python = process.env.WEBTRAIN_PYTHON ?? '/usr/bin/python3';
const scripts = ['generate.py', ...readdirSync(dir).filter((f) => /^gen_.*\.py$/.test(f)).sort()];
for (const script of scripts) {
  process.stderr.write(`[fixtures] ${script}\n`);
  const r = spawnSync(python, [script], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`[fixtures] ${script} failed (is python3-torch installed? apt-get install python3-torch)\n`);
    process.exit(1);
  }
}
