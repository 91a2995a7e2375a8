import type { Token } from '@userflare/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import type { TokenAction } from './token-actions';

interface Wording {
  title: string;
  confirmLabel: string;
  destructive: boolean;
  description: (name: string) => string;
}

const WORDING: Record<TokenAction, Wording> = {
  roll: {
    title: 'Roll API token',
    confirmLabel: 'Roll',
    destructive: true,
    description: (name) =>
      `Roll “${name}”? A new value replaces the current one, which stops working at once. The token keeps its permissions.`,
  },
  delete: {
    title: 'Delete API token',
    confirmLabel: 'Delete',
    destructive: true,
    description: (name) => `Delete “${name}”? Requests with it are refused at once. This cannot be undone.`,
  },
  disable: {
    title: 'Disable API token',
    confirmLabel: 'Disable',
    destructive: true,
    description: (name) => `Disable “${name}”? Requests with it are refused until it is enabled again.`,
  },
  enable: {
    title: 'Enable API token',
    confirmLabel: 'Enable',
    destructive: false,
    description: (name) => `Enable “${name}”?`,
  },
  leak: {
    title: 'Leak API token (emulator)',
    confirmLabel: 'Leak token',
    destructive: true,
    description: (name) =>
      `Simulate “${name}” being found in public? The emulator disables it at once, as Cloudflare does with an exposed token, so requests with it are refused.`,
  },
};

/** The confirmation of a row action that cannot be taken back; its text names the token. */
export function TokenActionDialog({
  pending,
  ownTokenId,
  onClose,
  run,
}: {
  pending: { action: TokenAction; token: Token } | undefined;
  ownTokenId: string | undefined;
  onClose: () => void;
  run: (action: TokenAction, token: Token) => Promise<void>;
}) {
  const wording = WORDING[pending?.action ?? 'delete'];
  const name = pending?.token.name ?? '';
  const ownToken = pending !== undefined && pending.token.id === ownTokenId;
  const own = !ownToken
    ? ''
    : pending.action === 'roll'
      ? ' This is the token you logged in with: this session ends, and you log in again with the new value.'
      : ' This is the token you logged in with: this session ends with it.';
  return (
    <ConfirmDialog
      open={pending !== undefined}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={wording.title}
      description={wording.description(name) + own}
      confirmLabel={wording.confirmLabel}
      destructive={wording.destructive}
      onConfirm={async () => {
        if (pending) await run(pending.action, pending.token);
      }}
    />
  );
}
