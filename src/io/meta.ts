/** Provenance recorded in every result file: package version, runtime, machine, start time. */
import { cpus, hostname } from 'node:os';
import { VERSION } from '../version.js';

export interface RunMeta {
  version: string;
  node: string;
  platform: string;
  cpus: number;
  host: string;
  createdAt: string;
}

export function runMeta(): RunMeta {
  return {
    version: VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    host: hostname(),
    createdAt: new Date().toISOString(),
  };
}
