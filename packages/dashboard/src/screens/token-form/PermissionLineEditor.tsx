import { Button } from '@cloudflare/kumo/components/button';
import { Combobox } from '@cloudflare/kumo/components/combobox';
import { Select } from '@cloudflare/kumo/components/select';
import { TrashIcon } from '@phosphor-icons/react';
import {
  type AccessLevel,
  type Catalogue,
  levelsOf,
  type PermissionFamily,
  type Scope,
} from './permission-catalogue';
import type { PermissionLine } from './token-draft';

export interface PermissionLineEditorProps {
  line: PermissionLine;
  /** 1-based, for the remove button's name. */
  position: number;
  scope: Scope;
  catalogue: Catalogue;
  error: string | undefined;
  canRemove: boolean;
  onChange: (line: PermissionLine) => void;
  onRemove: () => void;
  onTouch: () => void;
}

/**
 * One permission of a policy: a searchable picker over the scope's permission groups (Kumo
 * Combobox) and the access level (Read / Edit, …) as a labelled select. A group id the catalogue
 * does not list is shown and kept as it is.
 */
export function PermissionLineEditor({
  line,
  position,
  scope,
  catalogue,
  error,
  canRemove,
  onChange,
  onRemove,
  onTouch,
}: PermissionLineEditorProps) {
  const found = line.groupId ? catalogue.byGroupId.get(line.groupId) : undefined;
  const family = found?.family;
  const level = found?.level;
  const removeButton = (
    <Button
      variant="ghost"
      shape="square"
      icon={<TrashIcon aria-hidden />}
      aria-label={`Remove permission ${position}`}
      disabled={!canRemove}
      onClick={onRemove}
    />
  );
  if (line.groupId && !found) {
    return (
      <div className="flex items-center justify-between gap-2 rounded-md bg-kumo-recessed p-2 text-sm">
        <span>
          Permission group <code>{line.groupId}</code> is not in the catalogue: kept as it is.
        </span>
        {removeButton}
      </div>
    );
  }
  const pick = (next: PermissionFamily | null) => {
    if (!next) return onChange({ ...line, groupId: null });
    const keep = level && next.levels[level] ? level : levelsOf(next)[0];
    onChange({ ...line, groupId: keep ? (next.levels[keep]?.id ?? null) : null });
  };
  const levels = family ? levelsOf(family) : [];
  const levelItems = Object.fromEntries(levels.map((each) => [each, each])) as Record<string, string>;
  return (
    <div className="flex flex-col gap-1">
      <div className="grid grid-cols-[1fr_auto] items-end gap-2 sm:grid-cols-[minmax(0,1fr)_10rem_auto]">
        <div className="col-span-2 sm:col-span-1">
          <Combobox<PermissionFamily>
            label="Permission group"
            items={catalogue.byScope[scope]}
            value={family ?? null}
            onValueChange={(next) => pick(next as PermissionFamily | null)}
            itemToStringLabel={(item) => item.name}
            isItemEqualToValue={(a, b) => a.key === b.key}
            error={error}
          >
            <Combobox.TriggerInput
              placeholder="Search permission groups"
              aria-invalid={error !== undefined}
              onBlur={onTouch}
            />
            <Combobox.Content>
              <Combobox.Empty>No permission group matches</Combobox.Empty>
              <Combobox.List>
                {(item: PermissionFamily) => (
                  <Combobox.Item key={item.key} value={item}>
                    {item.name}
                  </Combobox.Item>
                )}
              </Combobox.List>
            </Combobox.Content>
          </Combobox>
        </div>
        <Select
          label="Access"
          className="w-full"
          placeholder="Read or Edit"
          disabled={!family}
          value={level ?? null}
          items={levelItems}
          onValueChange={(next) => {
            const group = family?.levels[next as AccessLevel];
            if (group) onChange({ ...line, groupId: group.id });
          }}
        />
        <div className="pb-0.5">{removeButton}</div>
      </div>
      {found && (
        <p className="text-xs text-kumo-subtle">
          Grants the permission group{' '}
          <span className="font-medium">{found.family.levels[found.level]?.name}</span>
        </p>
      )}
    </div>
  );
}
