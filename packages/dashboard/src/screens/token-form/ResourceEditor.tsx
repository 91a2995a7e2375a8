import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Select } from '@cloudflare/kumo/components/select';
import { TrashIcon } from '@phosphor-icons/react';
import type { Organization } from '@userflare/contract';
import type { Scope } from './permission-catalogue';
import { KIND_LABELS, KINDS_OF_SCOPE, keptText, type ResourceEntry, type ResourceKind } from './resources';

export interface ResourceEditorProps {
  entry: ResourceEntry;
  /** 1-based, for the remove button's name. */
  position: number;
  scope: Scope;
  accounts: Organization[];
  /** Set when the accounts cannot be listed: the account is typed instead. */
  accountsUnavailable: string | undefined;
  userEmail: string;
  error: string | undefined;
  canRemove: boolean;
  onChange: (entry: ResourceEntry) => void;
  onRemove: () => void;
  onTouch: () => void;
}

const EFFECT_ITEMS = { include: 'Include', exclude: 'Exclude' };

function AccountPicker({
  entry,
  accounts,
  accountsUnavailable,
  error,
  onChange,
  onTouch,
}: Pick<
  ResourceEditorProps,
  'entry' | 'accounts' | 'accountsUnavailable' | 'error' | 'onChange' | 'onTouch'
>) {
  if (accountsUnavailable !== undefined)
    return (
      <Input
        label="Account ID"
        value={entry.id}
        placeholder="32 hexadecimal characters"
        description={accountsUnavailable}
        error={error}
        aria-invalid={error !== undefined}
        onBlur={onTouch}
        onChange={(event) => onChange({ ...entry, id: event.target.value })}
      />
    );
  const items: Record<string, string> = Object.fromEntries(
    accounts.map((account) => [account.id, `${account.name} (${account.id})`]),
  );
  if (entry.id && !(entry.id in items)) items[entry.id] = `Account ${entry.id}`;
  return (
    <Select
      label="Account"
      className="w-full"
      placeholder={accounts.length ? 'Choose an account' : 'You are not a member of any account'}
      value={entry.id || null}
      items={items}
      error={error}
      aria-invalid={error !== undefined}
      onValueChange={(next) => onChange({ ...entry, id: String(next ?? '') })}
    />
  );
}

/**
 * One resource of a policy: Include or Exclude, then what — all accounts, one of the user's accounts,
 * all zones, all zones of an account, a zone ID, or the user themself (REFERENCE §4.3). A resource
 * the form cannot express is shown as the API wrote it and saved unchanged.
 */
export function ResourceEditor(props: ResourceEditorProps) {
  const { entry, position, scope, userEmail, error, canRemove, onChange, onRemove, onTouch } = props;
  const kinds: ResourceKind[] =
    entry.kind === 'kept' ? [...KINDS_OF_SCOPE[scope], 'kept'] : KINDS_OF_SCOPE[scope];
  const kindItems = Object.fromEntries(
    kinds.map((kind) => [kind, kind === 'user' ? `You (${userEmail})` : KIND_LABELS[kind]]),
  );
  const detail =
    entry.kind === 'zone' ? (
      <Input
        label="Zone ID"
        value={entry.id}
        placeholder="32 hexadecimal characters"
        error={error}
        aria-invalid={error !== undefined}
        onBlur={onTouch}
        onChange={(event) => onChange({ ...entry, id: event.target.value })}
      />
    ) : entry.kind === 'account' || entry.kind === 'account-zones' ? (
      <AccountPicker {...props} />
    ) : entry.kind === 'kept' && entry.kept ? (
      <div className="text-sm">
        <code className="block rounded-md bg-kumo-recessed p-2 break-all">{keptText(entry.kept)}</code>
        <p className="mt-1 text-kumo-subtle">
          This resource cannot be edited here; it is saved exactly as it is.
        </p>
      </div>
    ) : null;
  return (
    <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] items-start gap-2 sm:grid-cols-[8rem_14rem_minmax(0,1fr)_auto]">
      <Select
        label="Include or exclude"
        className="w-full"
        value={entry.effect}
        items={EFFECT_ITEMS}
        onValueChange={(next) => onChange({ ...entry, effect: next === 'exclude' ? 'exclude' : 'include' })}
      />
      <Select
        label="Resource"
        className="w-full"
        value={entry.kind}
        items={kindItems}
        disabled={kinds.length < 2}
        onValueChange={(next) => {
          const kind = next as ResourceKind;
          const keepsId =
            (kind === 'account' || kind === 'account-zones') &&
            (entry.kind === 'account' || entry.kind === 'account-zones');
          onChange({ uid: entry.uid, effect: entry.effect, kind, id: keepsId ? entry.id : '' });
        }}
      />
      {/* On a phone the remove button stays on the selects' row and the detail takes the next one. */}
      <div className="order-3 pt-7 sm:order-4">
        <Button
          variant="ghost"
          shape="square"
          icon={<TrashIcon aria-hidden />}
          aria-label={`Remove resource ${position}`}
          disabled={!canRemove}
          onClick={onRemove}
        />
      </div>
      {detail && <div className="order-4 col-span-3 sm:order-3 sm:col-span-1">{detail}</div>}
    </div>
  );
}
