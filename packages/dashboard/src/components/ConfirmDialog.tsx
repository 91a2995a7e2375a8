import { Button } from '@cloudflare/kumo/components/button';
import { Dialog } from '@cloudflare/kumo/components/dialog';
import { type ReactNode, useState } from 'react';
import { ApiErrorBanner } from './ApiErrorBanner';

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  /** Names what is about to happen, e.g. the token's name. */
  description: ReactNode;
  confirmLabel: string;
  /** Destructive actions (delete, roll, cancel, reset) get the red button. */
  destructive?: boolean;
  /** Runs the action; the dialog stays open with Cloudflare's error when it fails, and closes when it succeeds. */
  onConfirm: () => Promise<void>;
}

/** "Are you sure?" for an action that cannot be undone. Escape and Cancel close it; focus returns to the trigger. */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  destructive = false,
  onConfirm,
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      onOpenChange(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        if (!next) setError(undefined);
        onOpenChange(next);
      }}
    >
      <Dialog className="flex flex-col gap-4 p-6" size="lg">
        <Dialog.Title className="text-lg font-semibold">{title}</Dialog.Title>
        <Dialog.Description className="text-kumo-subtle">{description}</Dialog.Description>
        {error !== undefined && <ApiErrorBanner error={error} />}
        <div className="flex justify-end gap-2">
          <Dialog.Close render={(props) => <Button {...props}>Cancel</Button>} />
          <Button variant={destructive ? 'destructive' : 'primary'} loading={busy} onClick={confirm}>
            {confirmLabel}
          </Button>
        </div>
      </Dialog>
    </Dialog.Root>
  );
}
