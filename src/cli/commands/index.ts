import type { Command } from '../command.js';
import { exactCommand } from './exact.js';
import { gmmCommand } from './gmm.js';
import { reproduceCommand } from './reproduce.js';
import { sweepCommand } from './sweep.js';
import { theoryCommand } from './theory.js';

/** Registered subcommands, in the order --help lists them. */
export const COMMANDS: Command[] = [exactCommand, gmmCommand, sweepCommand, theoryCommand, reproduceCommand];
