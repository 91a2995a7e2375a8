import { CopyButton } from './CopyButton';

/** Single-quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A request as a `curl` command, e.g. for a journal entry or the verify check of a new token. */
export function curlCommand(request: {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | undefined;
}): string {
  const parts = ['curl'];
  if (request.method.toUpperCase() !== 'GET') parts.push('-X', request.method.toUpperCase());
  parts.push(shellQuote(request.url));
  for (const [name, value] of Object.entries(request.headers ?? {}))
    parts.push('-H', shellQuote(`${name}: ${value}`));
  if (request.body !== undefined) parts.push('--data', shellQuote(request.body));
  return parts.join(' ');
}

/** A command in a monospace block with a Copy button. */
export function CurlSnippet({ command, label = 'Copy command' }: { command: string; label?: string }) {
  return (
    <div className="flex flex-col items-start gap-2">
      <pre className="w-full overflow-x-auto rounded-md border border-kumo-line bg-kumo-recessed p-3 text-xs whitespace-pre-wrap break-all">
        <code>{command}</code>
      </pre>
      <CopyButton text={command} label={label} />
    </div>
  );
}
