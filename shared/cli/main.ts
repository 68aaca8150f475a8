/**
 * The `trailwarden` command: one module per command under commands/, all sharing the options of
 * flags.ts, the input and evaluation of context.ts and the one exit-code rule of exit.ts. `main`
 * turns every error into one line and its exit code.
 */
import { Command, CommanderError } from 'commander';
import { AwsCallError, EndpointError } from '../aws/errors.js';
import { PolicyLoadError } from '../policy/loader.js';
import { applyCommand } from './commands/apply.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { explainCommand } from './commands/explain.js';
import { planCommand } from './commands/plan.js';
import { reportCommand } from './commands/report.js';
import { snapshotCommand } from './commands/snapshot.js';
import { validateCommand } from './commands/validate.js';
import type { CommandContext, Io } from './context.js';
import { EXIT } from './exit.js';
import { InputError, printable } from './io.js';
import { PACKAGE_VERSION } from './package.js';
import { problemsText } from './render.js';

export type { Io } from './context.js';

/** The commands, in the order `--help` lists them. */
const COMMANDS = [
  checkCommand,
  planCommand,
  reportCommand,
  validateCommand,
  applyCommand,
  snapshotCommand,
  explainCommand,
  demoCommand,
] as const;

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('trailwarden')
    .description(
      'Keeps AWS CloudTrail logging compliant: exact selector verdicts, example events, safe repairs.',
    )
    .version(PACKAGE_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();
  const context: CommandContext = { io, setExit };
  for (const register of COMMANDS) register(program, context);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests and the bin share it. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.input;
    if (error instanceof InputError) {
      io.err(`error: ${error.message}\n`);
      return EXIT.input;
    }
    if (error instanceof PolicyLoadError) {
      io.err(problemsText(error.problems, io.color));
      return EXIT.input;
    }
    if (error instanceof EndpointError) {
      const endpoint = error.endpoint ?? io.env.AWS_ENDPOINT_URL ?? 'the AWS endpoint';
      io.err(
        `error: AWS endpoint ${endpoint}: ${error.operation}: ${error.detail} (see --connect-timeout, --request-timeout, --endpoint-url)\n`,
      );
      return EXIT.runtime;
    }
    if (error instanceof AwsCallError) {
      io.err(`error: AWS: ${error.message}\n`);
      return EXIT.runtime;
    }
    const name = (error as { name?: string })?.name;
    if (name === 'CredentialsProviderError' || name === 'ProviderError') {
      const profile = argv.includes('--profile') ? argv[argv.indexOf('--profile') + 1] : io.env.AWS_PROFILE;
      io.err(
        `error: AWS credentials${profile ? ` of profile ${profile}` : ''}: ${printable((error as Error).message, 400)}\n`,
      );
      return EXIT.runtime;
    }
    // Never a stack trace for the user; TRAILWARDEN_DEBUG=1 shows it when reporting a bug.
    const message = error instanceof Error ? error.message : String(error);
    io.err(
      `error: ${printable(message, 400)}${io.env.TRAILWARDEN_DEBUG && error instanceof Error ? `\n${error.stack}` : ' (this is unexpected: rerun with TRAILWARDEN_DEBUG=1 and report the stack trace)'}\n`,
    );
    return EXIT.runtime;
  }
}
