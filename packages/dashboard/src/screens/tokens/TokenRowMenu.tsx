import { Button } from '@cloudflare/kumo/components/button';
import { DropdownMenu } from '@cloudflare/kumo/components/dropdown';
import {
  ArrowsClockwiseIcon,
  DotsThreeIcon,
  PauseCircleIcon,
  PencilSimpleIcon,
  PlayCircleIcon,
  SirenIcon,
  TrashIcon,
} from '@phosphor-icons/react';
import type { Token } from '@userflare/client';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useCapability, useSession } from '../../app/session';
import { TOKEN_ROUTES, type TokenAction } from './token-actions';

/** A menu entry; when the credential may not use it, it stays in the menu, disabled, saying why. */
function Entry({
  icon,
  label,
  reason,
  danger = false,
  onSelect,
}: {
  icon: ReactNode;
  label: string;
  reason: string | undefined;
  danger?: boolean;
  onSelect: () => void;
}) {
  return (
    <DropdownMenu.Item
      icon={icon}
      variant={danger ? 'danger' : 'default'}
      className="gap-2"
      disabled={reason !== undefined}
      onClick={onSelect}
    >
      <span className="flex flex-col">
        <span>{label}</span>
        {reason !== undefined && <span className="max-w-64 text-xs text-kumo-subtle">{reason}</span>}
      </span>
    </DropdownMenu.Item>
  );
}

const refusal = (capability: { allowed: boolean; reason?: string | undefined }) =>
  capability.allowed ? undefined : (capability.reason ?? 'This credential may not do this.');

/** The "⋯" menu of one token row: Edit, Roll, Disable or Enable, Delete, and Leak in the emulator. */
export function TokenRowMenu({
  token,
  onAction,
}: {
  token: Token;
  onAction: (action: TokenAction, token: Token) => void;
}) {
  const navigate = useNavigate();
  const session = useSession();
  const read = refusal(useCapability(TOKEN_ROUTES.read));
  const update = refusal(useCapability(TOKEN_ROUTES.update));
  const roll = refusal(useCapability(TOKEN_ROUTES.roll));
  const remove = refusal(useCapability(TOKEN_ROUTES.delete));
  const enableReason =
    token.status === 'expired' ? 'It has expired: set a later expiry date with Edit first.' : update;
  return (
    <DropdownMenu>
      <DropdownMenu.Trigger
        render={
          <Button
            variant="ghost"
            shape="square"
            size="sm"
            icon={<DotsThreeIcon weight="bold" size={18} />}
            aria-label={`Actions for ${token.name}`}
          />
        }
      />
      <DropdownMenu.Content>
        <Entry
          icon={<PencilSimpleIcon />}
          label="Edit"
          reason={read}
          onSelect={() => navigate(`/tokens/${token.id}`)}
        />
        <Entry
          icon={<ArrowsClockwiseIcon />}
          label="Roll"
          reason={roll}
          onSelect={() => onAction('roll', token)}
        />
        {token.status === 'active' ? (
          <Entry
            icon={<PauseCircleIcon />}
            label="Disable"
            reason={update}
            onSelect={() => onAction('disable', token)}
          />
        ) : (
          <Entry
            icon={<PlayCircleIcon />}
            label="Enable"
            reason={enableReason}
            onSelect={() => onAction('enable', token)}
          />
        )}
        <Entry
          icon={<TrashIcon />}
          label="Delete"
          reason={remove}
          danger
          onSelect={() => onAction('delete', token)}
        />
        {session.emulator && (
          <>
            <DropdownMenu.Separator />
            <Entry
              icon={<SirenIcon />}
              label="Leak (emulator)"
              reason={undefined}
              onSelect={() => onAction('leak', token)}
            />
          </>
        )}
      </DropdownMenu.Content>
    </DropdownMenu>
  );
}
