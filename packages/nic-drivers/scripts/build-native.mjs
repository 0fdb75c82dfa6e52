#!/usr/bin/env node
// `npm install` of @netstack/nic-drivers: build the TAP addon (native/tun.c) with node-gyp against
// the headers of the Node that runs us (<prefix>/include/node), so nothing is downloaded. Linux only;
// elsewhere the package installs without it and only creating a TAP device fails (ENOSYS).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.platform !== 'linux') {
  console.log(`@netstack/nic-drivers: no TAP addon on ${process.platform} (Linux only)`);
  process.exit(0);
}
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
/** npm tells its lifecycle scripts where its bundled node-gyp is; else one installed beside us. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmGyp = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(npmGyp)) return npmGyp;
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}
const gyp = nodeGyp();
if (gyp === null) {
  console.error('@netstack/nic-drivers: node-gyp not found (it comes with npm); cannot build the TAP addon');
  process.exit(1);
}
const args = [gyp, 'rebuild', '--loglevel=warn', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, args, { cwd: pkgDir, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`@netstack/nic-drivers: building the TAP addon failed (${r.error?.message ?? `exit ${r.status}`}); it needs a C compiler, make, python3 and the Node headers (${nodedir ?? 'download'})`);
  process.exit(1);
}
