import { Button } from '@cloudflare/kumo/components/button';
import { Dialog } from '@cloudflare/kumo/components/dialog';
import { useSession } from '../../app/session';
import { CopyButton } from '../../components/CopyButton';
import { CurlSnippet, curlCommand } from '../../components/CurlSnippet';
import { Notice } from './Notice';

export interface CreatedToken {
  name: string;
  value: string;
}

/**
 * The new token's value, shown this once (research §1.2 item 8), with Copy and the verify command
 * for this server. Neither Escape nor a click on the backdrop closes it — the value would be lost —
 * only the explicit button does, and the screen then drops the value and leaves.
 */
export function TokenValueDialog({
  created,
  onClose,
}: {
  created: CreatedToken | undefined;
  onClose: () => void;
}) {
  const session = useSession();
  const command = created
    ? curlCommand({
        method: 'GET',
        url: `${session.server_url}/user/tokens/verify`,
        headers: { Authorization: `Bearer ${created.value}` },
      })
    : '';
  return (
    <Dialog.Root
      role="alertdialog"
      open={created !== undefined}
      onOpenChange={() => {
        // Closing is the button's job alone.
      }}
    >
      <Dialog size="xl" className="flex max-h-[calc(100vh-4rem)] flex-col gap-4 overflow-y-auto p-6">
        <Dialog.Title className="text-lg font-semibold">“{created?.name}” API token was created</Dialog.Title>
        <Dialog.Description className="text-kumo-subtle">
          Copy this token now: it is shown only this once.
        </Dialog.Description>
        <Notice title="This is the only time the value is shown">
          Store it somewhere safe, never in plain text. Anyone who has it can act with the token's
          permissions.
        </Notice>
        <div className="flex flex-col gap-2">
          <p className="text-sm font-medium">API token value</p>
          <pre className="overflow-x-auto rounded-md border border-kumo-line bg-kumo-recessed p-3 text-sm break-all whitespace-pre-wrap">
            <code data-testid="created-token-value">{created?.value}</code>
          </pre>
          <div>
            <CopyButton text={created?.value ?? ''} label="Copy token" />
          </div>
        </div>
        <div className="flex flex-col gap-2">
          <p className="text-sm font-medium">Test this token</p>
          <CurlSnippet command={command} label="Copy command" />
        </div>
        <div className="flex justify-end">
          <Button variant="primary" onClick={onClose}>
            I have copied it
          </Button>
        </div>
      </Dialog>
    </Dialog.Root>
  );
}
