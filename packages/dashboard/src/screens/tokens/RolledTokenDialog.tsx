import { Banner } from '@cloudflare/kumo/components/banner';
import { Button } from '@cloudflare/kumo/components/button';
import { Dialog } from '@cloudflare/kumo/components/dialog';
import { WarningIcon } from '@phosphor-icons/react';
import { CopyButton } from '../../components/CopyButton';

export interface RolledToken {
  name: string;
  value: string;
}

/**
 * The new value of a rolled token, shown this once. It cannot be dismissed by accident: a click on
 * the backdrop or Escape leaves it open (the value would be lost), only the explicit button closes
 * it, and the screen then drops the value from its state.
 */
export function RolledTokenDialog({
  rolled,
  onClose,
}: {
  rolled: RolledToken | undefined;
  onClose: () => void;
}) {
  return (
    <Dialog.Root
      role="alertdialog"
      open={rolled !== undefined}
      onOpenChange={() => {
        // Closing is the button's job alone.
      }}
    >
      <Dialog size="lg" className="flex flex-col gap-4 p-6">
        <Dialog.Title className="text-lg font-semibold">Token rolled successfully</Dialog.Title>
        <Dialog.Description className="text-sm text-kumo-subtle">
          Copy the new value of “{rolled?.name}” now. The previous value no longer works.
        </Dialog.Description>
        <Banner
          variant="alert"
          icon={<WarningIcon aria-hidden />}
          description="This is the only time the value is shown. Store it somewhere safe, never in plain text: anyone who has it can use the token's permissions."
        />
        <div className="flex flex-col gap-2">
          <p className="text-sm font-medium">New API token value</p>
          <pre className="overflow-x-auto rounded-md border border-kumo-line bg-kumo-recessed p-3 text-sm break-all whitespace-pre-wrap">
            <code data-testid="rolled-token-value">{rolled?.value}</code>
          </pre>
          <div>
            <CopyButton text={rolled?.value ?? ''} />
          </div>
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
