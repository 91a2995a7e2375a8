import { Button } from '@cloudflare/kumo/components/button';
import { Dialog } from '@cloudflare/kumo/components/dialog';
import { Input } from '@cloudflare/kumo/components/input';
import { ArrowSquareOutIcon } from '@phosphor-icons/react';
import type { Namespace } from '@userflare/client';
import { CopyButton } from '../../components/CopyButton';

/** Where a namespace's own dashboard is served. */
export function namespaceDashboardHref(id: string): string {
  return `/ns/${encodeURIComponent(id)}/dashboard/`;
}

function Secret({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex flex-wrap items-end gap-2">
      <div className="min-w-0 flex-1">
        <Input label={label} value={value} readOnly className="font-mono" />
      </div>
      <CopyButton text={value} label={`Copy ${label.replace(/^(API|Global API) /, '')}`} />
    </div>
  );
}

/**
 * The new namespace's bootstrap secrets, shown this once: the server keeps only their hashes. Closes by
 * its button only, not by a stray click outside, so the token is not lost by accident.
 */
export function NamespaceCreatedDialog({
  namespace,
  onClose,
}: {
  namespace: Namespace | undefined;
  onClose: () => void;
}) {
  return (
    <Dialog.Root
      open={namespace !== undefined}
      disablePointerDismissal
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
    >
      <Dialog className="flex flex-col gap-4 p-6" size="lg">
        <Dialog.Title className="text-lg font-semibold">Namespace {namespace?.id} created</Dialog.Title>
        <Dialog.Description className="text-kumo-subtle">
          It has its own store, bootstrap user ({namespace?.email}), sessions and controls. Copy its API token
          now: it is not shown again. Log in to its dashboard with it.
        </Dialog.Description>
        {namespace?.token && <Secret label="API token" value={namespace.token} />}
        {namespace?.api_key && <Secret label="Global API key" value={namespace.api_key} />}
        {namespace && <Secret label="API base URL" value={namespace.base_url} />}
        <div className="flex flex-wrap justify-end gap-2">
          {namespace && (
            <a
              href={namespaceDashboardHref(namespace.id)}
              target="_blank"
              rel="noopener"
              className="inline-flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium text-kumo-link underline"
            >
              Open its dashboard in a new tab <ArrowSquareOutIcon aria-hidden />
            </a>
          )}
          <Dialog.Close
            render={(props) => (
              <Button {...props} variant="primary">
                I copied the token
              </Button>
            )}
          />
        </div>
      </Dialog>
    </Dialog.Root>
  );
}
