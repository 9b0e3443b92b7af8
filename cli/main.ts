#!/usr/bin/env node
// `bc`: the backup center's command-line client, in the spirit of `velero`.
//   npx tsx cli/main.ts backup create nginx-1 --cluster a --vault local --include-namespaces shop --wait
// Server from --server or BC_API_URL, token from --token or BC_API_TOKEN. No dependencies beyond Node.

import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './commands.js';

const code = await run(process.argv.slice(2), process.env, {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  sleep: (ms) => sleep(ms),
  now: () => Date.now(),
});
process.exitCode = code;
