import type { Command } from '../command.js';
import { exactCommand } from './exact.js';
import { gmmCommand } from './gmm.js';
import { reproduceCommand } from './reproduce.js';
import { sweepCommand } from './sweep.js';
import { theoryCommand } from './theory.js';
import { classifyCommand } from './classify.js';
import { denoiseCommand } from './denoise.js';
import { uturnCommand } from './uturn.js';
import { retrainCommand } from './retrain.js';
import { scanCommand } from './scan.js';
import { mnistCommand } from './mnist.js';

/** Registered subcommands, in the order --help lists them. */
export const COMMANDS: Command[] = [
  exactCommand,
  gmmCommand,
  sweepCommand,
  theoryCommand,
  reproduceCommand,
  classifyCommand,
  denoiseCommand,
  uturnCommand,
  retrainCommand,
  scanCommand,
  mnistCommand,
];
