import { Button } from '@cloudflare/kumo/components/button';
import { Select } from '@cloudflare/kumo/components/select';
import { PlusIcon, TrashIcon } from '@phosphor-icons/react';
import type { Organization } from '@userflare/contract';
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
  /** The error to show at a field now, if any (field keys from token-validation). */
  errorAt: (key: string) => string | undefined;
  onTouch: (key: string) => void;
  canRemove: boolean;
  onChange: (block: PolicyBlock) => void;
  onRemove: () => void;
}

const SCOPE_ITEMS = Object.fromEntries(EDITABLE_SCOPES.map((scope) => [scope, SCOPE_LABELS[scope]]));

/**
 * One policy of the form: its resource type (Account, Zone or User), the permissions it grants and
 * the resources it includes or excludes (research §1.2 items 3–4).
 */
export function PolicyEditor(props: PolicyEditorProps) {
  const { block, position, catalogue, errorAt, onTouch, canRemove, onChange, onRemove } = props;
  const editable = block.scope !== 'r2' && block.scope !== 'other';
  const headingId = `policy-${block.uid}`;
  const changeScope = (scope: Scope) =>
    onChange({ ...block, scope, permissions: [emptyLine()], resources: [defaultResource(scope)] });
  const resourcesError = errorAt(fieldKeys.resources(block.uid));
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
          onClick={onRemove}
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
        {block.permissions.map((line, index) => (
          <PermissionLineEditor
            key={line.uid}
            line={line}
            position={index + 1}
            scope={block.scope}
            catalogue={catalogue}
            error={errorAt(fieldKeys.group(line.uid))}
            canRemove={block.permissions.length > 1}
            onTouch={() => onTouch(fieldKeys.group(line.uid))}
            onChange={(next) =>
              onChange({
                ...block,
                permissions: block.permissions.map((each) => (each.uid === line.uid ? next : each)),
              })
            }
            onRemove={() =>
              onChange({ ...block, permissions: block.permissions.filter((each) => each.uid !== line.uid) })
            }
          />
        ))}
        {editable && (
          <div>
            <Button
              size="sm"
              icon={<PlusIcon aria-hidden />}
              onClick={() => onChange({ ...block, permissions: [...block.permissions, emptyLine()] })}
            >
              Add permission
            </Button>
          </div>
        )}
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
            error={errorAt(fieldKeys.resourceId(entry.uid))}
            canRemove={block.resources.length > 1}
            onTouch={() => onTouch(fieldKeys.resourceId(entry.uid))}
            onChange={(next) =>
              onChange({
                ...block,
                resources: block.resources.map((each) => (each.uid === entry.uid ? next : each)),
              })
            }
            onRemove={() =>
              onChange({ ...block, resources: block.resources.filter((each) => each.uid !== entry.uid) })
            }
          />
        ))}
        {resourcesError && <p className="text-sm text-kumo-danger">{resourcesError}</p>}
        {editable && block.scope !== 'user' && (
          <div>
            <Button
              size="sm"
              icon={<PlusIcon aria-hidden />}
              onClick={() =>
                onChange({
                  ...block,
                  resources: [...block.resources, defaultResource(block.scope, 'exclude')],
                })
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
