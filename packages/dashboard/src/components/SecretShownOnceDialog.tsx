import { Button } from '@cloudflare/kumo/components/button';
import { Dialog } from '@cloudflare/kumo/components/dialog';
import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';
import { Notice } from './Notice';

/**
 * A secret shown this once (research §1.2 item 8), with Copy and a warning. Neither Escape nor a click
 * on the backdrop closes it — the value would be lost — only the explicit button does, and the screen
 * then drops the value. `children` follow the value, e.g. a command to test it.
 */
export function SecretShownOnceDialog({
  value,
  title,
  description,
  valueLabel,
  valueTestId,
  copyLabel,
  size = 'lg',
  onClose,
  children,
}: {
  /** The secret; the dialog is open while it is defined. */
  value: string | undefined;
  title: ReactNode;
  description: ReactNode;
  valueLabel: string;
  valueTestId: string;
  copyLabel?: string;
  size?: 'lg' | 'xl';
  onClose: () => void;
  children?: ReactNode;
}) {
  return (
    <Dialog.Root
      role="alertdialog"
      open={value !== undefined}
      onOpenChange={() => {
        // Closing is the button's job alone.
      }}
    >
      <Dialog size={size} className="flex max-h-[calc(100vh-4rem)] flex-col gap-4 overflow-y-auto p-6">
        <Dialog.Title className="text-lg font-semibold">{title}</Dialog.Title>
        <Dialog.Description className="text-kumo-subtle">{description}</Dialog.Description>
        <Notice title="This is the only time the value is shown">
          Store it somewhere safe, never in plain text. Anyone who has it can act with the token's
          permissions.
        </Notice>
        <div className="flex flex-col gap-2">
          <p className="text-sm font-medium">{valueLabel}</p>
          <pre className="overflow-x-auto rounded-md border border-kumo-line bg-kumo-recessed p-3 text-sm break-all whitespace-pre-wrap">
            <code data-testid={valueTestId}>{value}</code>
          </pre>
          <div>
            <CopyButton text={value ?? ''} label={copyLabel} />
          </div>
        </div>
        {children}
        <div className="flex justify-end">
          <Button variant="primary" onClick={onClose}>
            I have copied it
          </Button>
        </div>
      </Dialog>
    </Dialog.Root>
  );
}
