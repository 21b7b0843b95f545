#!/usr/bin/env node
// The `sluice-kafka` executable (package.json "bin"); see sluice-kafka-cli.ts.
import { runSluiceKafkaCli } from './sluice-kafka-cli.js';

const exitCode = await runSluiceKafkaCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
process.exitCode = exitCode;
