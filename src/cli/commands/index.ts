import type { Command } from '../command.js';
import { exactCommand } from './exact.js';

/** Registered subcommands, in the order --help lists them. */
export const COMMANDS: Command[] = [exactCommand];
