import { Button } from '@cloudflare/kumo/components/button';
import { Select } from '@cloudflare/kumo/components/select';
import { PlusIcon, TrashIcon } from '@phosphor-icons/react';
import type { Organization } from '@userflare/contract';
import { memo, useState } from 'react';
import { PermissionLineEditor } from './PermissionLineEditor';
import { type Catalogue, EDITABLE_SCOPES, SCOPE_LABELS, type Scope } from './permission-catalogue';
import { ResourceEditor } from './ResourceEditor';
import { defaultResource, emptyLine, type PolicyBlock } from './token-draft';
import { fieldKeys } from './token-validation';

export interface PolicyEditorProps {
  block: PolicyBlock;
  /** 1-based: "Policy 1". */
  position: number;
  catalogue: Catalogue;
  accounts: Organization[];
  accountsUnavailable: string | undefined;
  userEmail: string;
  /** The errors to show now in this policy, by field key (token-validation). */
  errors: Readonly<Record<string, string>>;
  onTouch: (key: string) => void;
  canRemove: boolean;
  onChange: (uid: string, block: PolicyBlock) => void;
  onRemove: (uid: string) => void;
}

const SCOPE_ITEMS = Object.fromEntries(EDITABLE_SCOPES.map((scope) => [scope, SCOPE_LABELS[scope]]));

/** Permissions shown before "Show all": "Read all resources" grants 148, each a picker. */
const SHOWN_LINES = 12;

/** The error keys of one policy, for handing it only its own errors. */
export function policyErrorKeys(block: PolicyBlock): string[] {
  return [
    fieldKeys.group(block.uid),
    fieldKeys.resources(block.uid),
    ...block.permissions.map((line) => fieldKeys.group(line.uid)),
    ...block.resources.map((entry) => fieldKeys.resourceId(entry.uid)),
  ];
}

function PolicyEditorView(props: PolicyEditorProps) {
  const { block, position, catalogue, errors, onTouch, canRemove, onChange, onRemove } = props;
  const [showAll, setShowAll] = useState(false);
  const editable = block.scope !== 'r2' && block.scope !== 'other';
  const headingId = `policy-${block.uid}`;
  const change = (next: Partial<PolicyBlock>) => onChange(block.uid, { ...block, ...next });
  const changeScope = (scope: Scope) =>
    change({ scope, permissions: [emptyLine()], resources: [defaultResource(scope)] });
  // A line with an error is always shown, so the reason under the buttons points at something visible.
  const shown = block.permissions.filter(
    (line, index) => showAll || index < SHOWN_LINES || errors[fieldKeys.group(line.uid)] !== undefined,
  );
  const hidden = block.permissions.length - shown.length;
  const resourcesError = errors[fieldKeys.resources(block.uid)];
  return (
    <fieldset
      aria-labelledby={headingId}
      className="flex flex-col gap-4 rounded-lg border border-kumo-line p-4"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="font-semibold text-kumo-default">
          Policy {position}
        </h3>
        <Button
          variant="secondary-destructive"
          size="sm"
          icon={<TrashIcon aria-hidden />}
          disabled={!canRemove}
          onClick={() => onRemove(block.uid)}
        >
          Remove policy {position}
        </Button>
      </div>
      {editable ? (
        <Select
          label="Resource type"
          className="w-full sm:w-56"
          value={block.scope}
          items={SCOPE_ITEMS}
          onValueChange={(next) => changeScope(next as Scope)}
        />
      ) : (
        <p className="text-sm text-kumo-subtle">
          {SCOPE_LABELS[block.scope]} policy: the form cannot edit it, and saves it exactly as it is.
        </p>
      )}
      <div className="flex flex-col gap-3">
        <h4 className="text-sm font-semibold text-kumo-default">Permissions</h4>
        {shown.map((line) => {
          const index = block.permissions.indexOf(line);
          return (
            <PermissionLineEditor
              key={line.uid}
              line={line}
              position={index + 1}
              scope={block.scope}
              catalogue={catalogue}
              error={errors[fieldKeys.group(line.uid)]}
              canRemove={block.permissions.length > 1}
              onTouch={() => onTouch(fieldKeys.group(line.uid))}
              onChange={(next) =>
                change({
                  permissions: block.permissions.map((each) => (each.uid === line.uid ? next : each)),
                })
              }
              onRemove={() =>
                change({ permissions: block.permissions.filter((each) => each.uid !== line.uid) })
              }
            />
          );
        })}
        <div className="flex flex-wrap gap-2">
          {hidden > 0 && (
            <Button size="sm" onClick={() => setShowAll(true)}>
              Show all {block.permissions.length} permissions
            </Button>
          )}
          {editable && (
            <Button
              size="sm"
              icon={<PlusIcon aria-hidden />}
              onClick={() => {
                setShowAll(true);
                change({ permissions: [...block.permissions, emptyLine()] });
              }}
            >
              Add permission
            </Button>
          )}
        </div>
      </div>
      <div className="flex flex-col gap-3">
        <h4 className="text-sm font-semibold text-kumo-default">
          {editable ? `${SCOPE_LABELS[block.scope]} resources` : 'Resources'}
        </h4>
        {block.resources.map((entry, index) => (
          <ResourceEditor
            key={entry.uid}
            entry={entry}
            position={index + 1}
            scope={block.scope}
            accounts={props.accounts}
            accountsUnavailable={props.accountsUnavailable}
            userEmail={props.userEmail}
            error={errors[fieldKeys.resourceId(entry.uid)]}
            canRemove={block.resources.length > 1}
            onTouch={() => onTouch(fieldKeys.resourceId(entry.uid))}
            onChange={(next) =>
              change({ resources: block.resources.map((each) => (each.uid === entry.uid ? next : each)) })
            }
            onRemove={() => change({ resources: block.resources.filter((each) => each.uid !== entry.uid) })}
          />
        ))}
        {resourcesError && <p className="text-sm text-kumo-danger">{resourcesError}</p>}
        {editable && block.scope !== 'user' && (
          <div>
            <Button
              size="sm"
              icon={<PlusIcon aria-hidden />}
              onClick={() =>
                change({ resources: [...block.resources, defaultResource(block.scope, 'exclude')] })
              }
            >
              Add resource
            </Button>
          </div>
        )}
      </div>
    </fieldset>
  );
}

const sameErrors = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
};

/**
 * One policy of the form: its resource type (Account, Zone or User), the permissions it grants and
 * the resources it includes or excludes (research §1.2 items 3–4). Memoised: typing elsewhere in the
 * form does not re-render a policy of many pickers.
 */
export const PolicyEditor = memo(
  PolicyEditorView,
  (before, after) =>
    before.block === after.block &&
    before.position === after.position &&
    before.catalogue === after.catalogue &&
    before.accounts === after.accounts &&
    before.accountsUnavailable === after.accountsUnavailable &&
    before.userEmail === after.userEmail &&
    before.canRemove === after.canRemove &&
    before.onChange === after.onChange &&
    before.onRemove === after.onRemove &&
    before.onTouch === after.onTouch &&
    sameErrors(before.errors, after.errors),
);
