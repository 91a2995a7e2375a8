import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command line that cannot run as written; the message says what to type instead. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type StrictArgsConfig<Options> = {
  args: string[];
  options: Options;
  strict: true;
  allowPositionals: true;
};

/** `parseArgs`, strict, positionals allowed: a bad flag becomes a `UsageError` naming the command's `--help`. */
export function parseCommandLine<const Options extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: Options,
): ReturnType<typeof parseArgs<StrictArgsConfig<Options>>> {
  try {
    return parseArgs<StrictArgsConfig<Options>>({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    if (error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(`${error.message}; run \`userflare ${command} --help\` for the options`);
    throw error;
  }
}
