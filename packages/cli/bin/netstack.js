#!/usr/bin/env node
// The `netstack` command: loads the compiled CLI from ../dist (built by `npm run build`).
let cli;
try {
  cli = await import('../dist/main.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write(`netstack: ${err.message}\nnetstack: the compiled output is missing; run \`npm run build\` in the repository root\n`);
    process.exit(1);
  }
  throw err;
}
await cli.main(process.argv);
