import { Button } from '@cloudflare/kumo/components/button';
import { Dialog } from '@cloudflare/kumo/components/dialog';
import { BracketsCurlyIcon, XIcon } from '@phosphor-icons/react';
import type { AuditLog } from '@userflare/client';
import { CopyButton } from '../../components/CopyButton';
import { CurlSnippet } from '../../components/CurlSnippet';
import { utcTime } from '../../components/RelativeTime';
import type { EntryRequest } from './entry-request';

/** "roll token 1a2b… at 2024-05-01 10:00:00 UTC": names an entry for buttons and the dialog. */
export function entrySummary(entry: AuditLog): string {
  return `${entry.action.type} ${entry.resource.type} ${entry.resource.id} at ${utcTime(entry.when)}`;
}

/** The entry's full JSON, as the API answered it, and its request as `curl` when the journal has it. */
export function AuditEntryDialog({ entry, request }: { entry: AuditLog; request: EntryRequest }) {
  const json = JSON.stringify(entry, null, 2);
  return (
    <Dialog.Root>
      <Dialog.Trigger
        render={(props) => (
          <Button {...props} size="sm" variant="ghost" icon={<BracketsCurlyIcon />}>
            JSON<span className="sr-only">: {entrySummary(entry)}</span>
          </Button>
        )}
      />
      <Dialog className="flex max-h-[90vh] flex-col gap-4 overflow-y-auto p-6" size="xl">
        <div className="flex items-start justify-between gap-4">
          <Dialog.Title className="text-lg font-semibold">Audit log entry</Dialog.Title>
          <Dialog.Close
            render={(props) => (
              <Button {...props} variant="ghost" shape="square" icon={<XIcon />} aria-label="Close" />
            )}
          />
        </div>
        <Dialog.Description className="text-sm text-kumo-subtle">{entrySummary(entry)}</Dialog.Description>
        <section
          aria-label="Entry JSON"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll region is operable by keyboard only when focusable.
          tabIndex={0}
          className="max-h-80 overflow-auto rounded-md border border-kumo-line bg-kumo-recessed p-3"
        >
          <pre className="text-xs">
            <code>{json}</code>
          </pre>
        </section>
        <div>
          <CopyButton text={json} label="Copy JSON" />
        </div>
        <section aria-label="Request" className="flex flex-col gap-2 border-t border-kumo-line pt-4">
          <h3 className="text-base font-semibold text-kumo-default">Request</h3>
          {request.kind === 'found' ? (
            <>
              <p className="text-sm text-kumo-subtle">
                From the request journal. The token is a shell variable: set <code>CLOUDFLARE_API_TOKEN</code>{' '}
                first.
                {request.hasBody && ' The journal keeps no bodies: put the JSON you sent in body.json.'}
              </p>
              <CurlSnippet command={request.command} label="Copy as curl" />
            </>
          ) : (
            <p className="text-sm text-kumo-subtle">{request.reason}</p>
          )}
        </section>
        <div className="flex justify-end">
          <Dialog.Close render={(props) => <Button {...props}>Close</Button>} />
        </div>
      </Dialog>
    </Dialog.Root>
  );
}
